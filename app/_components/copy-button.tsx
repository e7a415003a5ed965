"use client";
import { useEffect, useRef, useState } from "react";

/** How long "Copied" stays before the button reads "Copy" again. */
const COPIED_MS = 2000;

/**
 * Copies text: the Clipboard API where the page may use it (https, localhost), else the old
 * select-and-copy, which works over plain http too. False when neither did.
 */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    try {
      return document.execCommand?.("copy") ?? false;
    } catch {
      return false;
    } finally {
      area.remove();
    }
  }
}

export type CopyState = "copied" | "failed" | null;

/** A copy action whose outcome shows for a moment, then clears. */
export function useCopy(): { state: CopyState; copy: (text: string) => Promise<CopyState> } {
  const [state, setState] = useState<CopyState>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  return {
    state,
    async copy(text) {
      const next: CopyState = (await copyText(text)) ? "copied" : "failed";
      setState(next);
      clearTimeout(timer.current);
      timer.current = setTimeout(() => setState(null), COPIED_MS);
      return next;
    },
  };
}

/**
 * A small button that copies `text` and says "Copied" for a moment. `label` is its accessible name
 * ("Copy code", "Copy message"); the outcome is also announced to screen readers.
 */
export function CopyButton({ text, label, className, testId }: { text: string | (() => string); label: string; className?: string; testId?: string }) {
  const { state, copy } = useCopy();
  return (
    <>
      <button
        type="button"
        className={`action-button${className ? ` ${className}` : ""}`}
        aria-label={label}
        title={label}
        data-testid={testId}
        data-state={state ?? undefined}
        onClick={() => void copy(typeof text === "function" ? text() : text)}
      >
        {state === "copied" ? "Copied" : state === "failed" ? "Copy failed" : "Copy"}
      </button>
      <span className="visually-hidden" role="status">
        {state === "copied" ? "Copied to the clipboard" : state === "failed" ? "Could not copy: select the text and press Ctrl+C" : ""}
      </span>
    </>
  );
}
