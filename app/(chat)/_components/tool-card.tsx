import { getToolName, type DynamicToolUIPart, type ToolUIPart } from "ai";

const STATE_WORDS: Record<string, string> = {
  "input-streaming": "preparing input…",
  "input-available": "called",
  "approval-requested": "waiting for approval",
  "approval-responded": "approval answered",
  "output-available": "done",
  "output-error": "failed",
  "output-denied": "denied",
};

function json(value: unknown): string {
  if (value === undefined) return "";
  try {
    return JSON.stringify(value, null, 2);
  } catch {
    return String(value);
  }
}

/** A tool call in a reply: its name, what it was given and what came back. */
export function ToolCard({ part }: { part: ToolUIPart | DynamicToolUIPart }) {
  const name = getToolName(part);
  const failed = part.state === "output-error";
  return (
    <div className={`tool-card${failed ? " tool-card-failed" : ""}`} data-testid="tool-card" data-tool={name}>
      <div className="tool-card-head">
        <span className="tool-card-label">Tool</span>
        <code className="tool-card-name">{name}</code>
        <span className="tool-card-state">{STATE_WORDS[part.state] ?? part.state}</span>
      </div>
      {part.input !== undefined ? (
        <div className="tool-card-section">
          <div className="tool-card-caption">Input</div>
          <pre>{json(part.input)}</pre>
        </div>
      ) : null}
      {part.state === "output-available" ? (
        <div className="tool-card-section">
          <div className="tool-card-caption">Output</div>
          <pre>{json(part.output)}</pre>
        </div>
      ) : null}
      {failed ? <p className="tool-card-error">{part.errorText}</p> : null}
    </div>
  );
}

/** Any other part the page has no special view for, shown as data rather than dropped. */
export function PartCard({ label, value }: { label: string; value: unknown }) {
  return (
    <div className="tool-card" data-testid="part-card">
      <div className="tool-card-head">
        <code className="tool-card-name">{label}</code>
      </div>
      <pre>{json(value)}</pre>
    </div>
  );
}
