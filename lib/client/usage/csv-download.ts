/**
 * Downloads a streamed CSV export: reads the body chunk by chunk to report bytes and rows as they
 * arrive, then hands the whole file to the browser through a Blob URL.
 */
import { ApiError } from "../api";

export interface CsvProgress {
  bytes: number;
  /** Data rows so far (lines after the header). */
  rows: number;
  done: boolean;
}

export interface CsvResult {
  bytes: number;
  rows: number;
  filename: string;
}

const NEWLINE = 0x0a;

/** Counts lines, skipping newlines inside quoted fields; state carries across chunks. */
export function lineCounter() {
  let inQuotes = false;
  let lines = 0;
  let lastByte = NEWLINE;
  return {
    push(chunk: Uint8Array) {
      for (let i = 0; i < chunk.length; i++) {
        const b = chunk[i]!;
        if (b === 0x22) inQuotes = !inQuotes;
        else if (b === NEWLINE && !inQuotes) lines++;
      }
      if (chunk.length) lastByte = chunk[chunk.length - 1]!;
    },
    /** Complete lines, plus a last line without a trailing newline. */
    lines: (final: boolean) => lines + (final && lastByte !== NEWLINE ? 1 : 0),
  };
}

export function filenameFrom(disposition: string | null, fallback: string): string {
  if (!disposition) return fallback;
  const star = /filename\*\s*=\s*(?:UTF-8'')?([^;]+)/i.exec(disposition);
  if (star) {
    try {
      return decodeURIComponent(star[1]!.trim().replace(/^"|"$/g, ""));
    } catch {
      // Fall through to the plain filename.
    }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(disposition);
  return plain ? plain[1]!.trim() : fallback;
}

async function errorOf(res: Response): Promise<ApiError> {
  let message = `The export failed: the server answered ${res.status}.`;
  let param: string | null = null;
  try {
    const body = (await res.json()) as { error?: { message?: unknown; param?: unknown } };
    if (typeof body.error?.message === "string") message = body.error.message;
    if (typeof body.error?.param === "string") param = body.error.param;
  } catch {
    // Not JSON: keep the status message.
  }
  return new ApiError(res.status, message, param);
}

export async function downloadCsv(url: string, opts: { fallbackName: string; signal?: AbortSignal; onProgress?: (p: CsvProgress) => void }): Promise<CsvResult> {
  let res: Response;
  try {
    res = await fetch(url, { credentials: "same-origin", cache: "no-store", signal: opts.signal, headers: { accept: "text/csv" } });
  } catch (err) {
    if (err instanceof DOMException && err.name === "AbortError") throw err;
    throw new ApiError(0, "Could not reach the server. Check your connection and try again.");
  }
  if (!res.ok) throw await errorOf(res);

  const chunks: Uint8Array<ArrayBuffer>[] = [];
  const counter = lineCounter();
  let bytes = 0;
  const report = (done: boolean) => opts.onProgress?.({ bytes, rows: Math.max(0, counter.lines(done) - 1), done });
  if (res.body) {
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      bytes += value.length;
      counter.push(value);
      report(false);
    }
  }
  report(true);

  const filename = filenameFrom(res.headers.get("content-disposition"), opts.fallbackName);
  saveBlob(new Blob(chunks, { type: "text/csv;charset=utf-8" }), filename);
  return { bytes, rows: Math.max(0, counter.lines(true) - 1), filename };
}

export function saveBlob(blob: Blob, filename: string): void {
  const href = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = href;
  a.download = filename;
  a.style.display = "none";
  document.body.appendChild(a);
  a.click();
  a.remove();
  // The browser reads the Blob after the click has been handled; revoking at once can cancel it.
  setTimeout(() => URL.revokeObjectURL(href), 60_000);
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
