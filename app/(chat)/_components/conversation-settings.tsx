"use client";
import { useId, useState, type FormEvent } from "react";
import { errorMessage } from "@/lib/client/api";
import { MAX_SYSTEM_PROMPT_CHARS, parseTemperature, type Conversation } from "@/lib/client/chat";

/** What the header shows of a conversation's settings when any is set, e.g. "System prompt · Temperature 0.2". */
export function settingsSummary(c: Pick<Conversation, "systemPrompt" | "temperature">): string | null {
  const parts = [c.systemPrompt ? "System prompt" : null, c.temperature !== null ? `Temperature ${c.temperature}` : null].filter(Boolean);
  return parts.length ? parts.join(" · ") : null;
}

/**
 * The conversation's system prompt and temperature, edited in a panel under its header. Saved to
 * the conversation, so they hold for every later turn, after a reload too.
 */
export function ConversationSettings(props: {
  conversation: Pick<Conversation, "systemPrompt" | "temperature">;
  id: string;
  onSave: (settings: Pick<Conversation, "systemPrompt" | "temperature">) => void;
  saving: boolean;
  error: unknown;
  onClose: () => void;
}) {
  const { conversation } = props;
  const [prompt, setPrompt] = useState(conversation.systemPrompt ?? "");
  const [temperature, setTemperature] = useState(conversation.temperature === null ? "" : String(conversation.temperature));
  const [submitted, setSubmitted] = useState(false);
  const ids = { prompt: useId(), temperature: useId(), title: useId() };

  const parsed = parseTemperature(temperature);
  const promptError = prompt.length > MAX_SYSTEM_PROMPT_CHARS ? `At most ${MAX_SYSTEM_PROMPT_CHARS.toLocaleString("en-US")} characters` : undefined;
  const temperatureError = temperature.trim() !== "" || submitted ? parsed.error : undefined;

  const save = (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    if (promptError || parsed.error !== undefined) return;
    props.onSave({ systemPrompt: prompt.trim() === "" ? null : prompt, temperature: parsed.value });
  };

  return (
    <form
      id={props.id}
      className="chat-settings"
      aria-labelledby={ids.title}
      onSubmit={save}
      noValidate
      data-testid="chat-settings"
      onKeyDown={(e) => {
        if (e.key === "Escape" && !props.saving) props.onClose();
      }}
    >
      <h2 id={ids.title} className="chat-settings-title">
        Conversation settings
      </h2>
      <div className="chat-settings-field">
        <label htmlFor={ids.prompt}>System prompt</label>
        <textarea
          id={ids.prompt}
          data-testid="system-prompt"
          rows={5}
          value={prompt}
          placeholder="e.g. You are a concise assistant for our rail-freight team. Answer in British English."
          aria-invalid={promptError ? true : undefined}
          aria-describedby={`${ids.prompt}-hint`}
          onChange={(e) => setPrompt(e.target.value)}
          autoFocus
        />
        <p id={`${ids.prompt}-hint`} className={promptError ? "field-error" : "field-hint"}>
          {promptError ?? "Sent first, before the messages, on every turn of this conversation."} {prompt.length.toLocaleString("en-US")} /{" "}
          {MAX_SYSTEM_PROMPT_CHARS.toLocaleString("en-US")}
        </p>
      </div>
      <div className="chat-settings-field chat-settings-temperature">
        <label htmlFor={ids.temperature}>Temperature</label>
        <input
          id={ids.temperature}
          data-testid="temperature"
          type="text"
          inputMode="decimal"
          autoComplete="off"
          value={temperature}
          placeholder="default"
          aria-invalid={temperatureError ? true : undefined}
          aria-describedby={`${ids.temperature}-hint`}
          onChange={(e) => setTemperature(e.target.value)}
        />
        <p id={`${ids.temperature}-hint`} className={temperatureError ? "field-error" : "field-hint"}>
          {temperatureError ?? "0 to 2: lower is steadier, higher more varied. Blank uses the model's default."}
        </p>
      </div>
      {props.error ? (
        <p className="form-error" role="alert">
          Could not save the settings: {errorMessage(props.error)}
        </p>
      ) : null}
      <div className="chat-settings-actions">
        <button type="button" className="button" onClick={props.onClose} disabled={props.saving}>
          Cancel
        </button>
        <button type="submit" className="button button-primary" disabled={props.saving} data-testid="save-settings">
          {props.saving ? "Saving…" : "Save"}
        </button>
      </div>
    </form>
  );
}
