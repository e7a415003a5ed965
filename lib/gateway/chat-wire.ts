/**
 * OpenAI's chat-completions wire format as the gateway's doors speak it: frames that are already in
 * that format pass through byte for byte; frames from other formats are rebuilt from their events.
 */
import type { ChatEvent, Frame } from "./providers/types";
import type { StreamEncoder } from "./relay";

type Json = Record<string, unknown>;

interface Meta {
  id: string;
  model: string;
  created: number;
}

const sse = (data: string) => `data: ${data}\n\n`;

function metaOf(events: ChatEvent[], meta: Meta): void {
  for (const e of events) {
    if (e.type !== "start") continue;
    meta.id = e.id || meta.id;
    meta.model = e.model || meta.model;
    meta.created = e.created || meta.created;
  }
}

/** A frame carrying only usage (and perhaps the answer's identity): the usage chunk. */
const usageOnly = (f: Frame) => f.events.some((e) => e.type === "usage") && f.events.every((e) => e.type === "usage" || e.type === "start");

/** The per-choice deltas of a frame's events, in OpenAI's chunk shape. */
function deltas(events: ChatEvent[], roleSent: Set<number>): Json[] {
  const byChoice = new Map<number, { delta: Json; finish: string | null }>();
  const slot = (choice: number) => {
    let s = byChoice.get(choice);
    if (!s) {
      s = { delta: {}, finish: null };
      if (!roleSent.has(choice)) {
        roleSent.add(choice);
        s.delta.role = "assistant";
      }
      byChoice.set(choice, s);
    }
    return s;
  };
  for (const e of events) {
    if (e.type === "delta") {
      const field = e.kind === "content" ? "content" : e.kind === "reasoning" ? "reasoning_content" : "refusal";
      const d = slot(e.choice).delta;
      d[field] = `${(d[field] as string | undefined) ?? ""}${e.text}`;
    } else if (e.type === "tool-call") {
      const d = slot(e.choice).delta;
      const calls = ((d.tool_calls as Json[] | undefined) ??= []);
      calls.push({ index: e.index, ...(e.id ? { id: e.id, type: "function" } : {}), function: { ...(e.name ? { name: e.name } : {}), arguments: e.arguments } });
    } else if (e.type === "finish") slot(e.choice).finish = e.reason;
  }
  return [...byChoice.entries()].map(([index, s]) => ({ index, delta: s.delta, logprobs: null, finish_reason: s.finish }));
}

/** `now` dates an answer whose upstream gave it no creation time. */
export function chatStreamEncoder(opts: { includeUsage: boolean; now: () => number }): StreamEncoder {
  const meta: Meta = { id: "chatcmpl-switchyard", model: "", created: Math.floor(opts.now() / 1000) };
  const roleSent = new Set<number>();
  const chunk = (choices: Json[], extra: Json = {}) =>
    sse(JSON.stringify({ id: meta.id, object: "chat.completion.chunk", created: meta.created, model: meta.model, choices, ...extra }));
  return {
    frame(f) {
      metaOf(f.events, meta);
      // The gateway always asks for usage; a client that did not gets no usage-only chunk.
      if (!opts.includeUsage && usageOnly(f)) return "";
      if (f.raw !== null) return sse(f.raw);
      let out = "";
      const choices = deltas(f.events, roleSent);
      if (choices.length > 0) out += chunk(choices);
      const usage = f.events.find((e) => e.type === "usage");
      if (usage?.type === "usage" && opts.includeUsage) {
        out += chunk([], { usage: { prompt_tokens: usage.promptTokens, completion_tokens: usage.completionTokens, total_tokens: usage.promptTokens + usage.completionTokens } });
      }
      return out;
    },
    lengthCut: (choices) => chunk(Array.from({ length: choices }, (_, index) => ({ index, delta: {}, logprobs: null, finish_reason: "length" }))),
    error: (message, type, code) => sse(JSON.stringify({ error: { message, type, code, param: null } })),
    done: () => "data: [DONE]\n\n",
  };
}

/** A whole answer as a chat.completion body: the upstream's own when it spoke this format. */
export function chatCompletionBody(answer: Frame, now: () => number): string {
  if (answer.raw !== null) return answer.raw;
  const meta: Meta = { id: "chatcmpl-switchyard", model: "", created: Math.floor(now() / 1000) };
  metaOf(answer.events, meta);
  const choices = new Map<number, { message: Json; finish: string | null }>();
  const slot = (choice: number) => {
    let c = choices.get(choice);
    if (!c) choices.set(choice, (c = { message: { role: "assistant", content: null }, finish: null }));
    return c;
  };
  let usage: Json | undefined;
  for (const e of answer.events) {
    if (e.type === "delta") {
      const m = slot(e.choice).message;
      const field = e.kind === "content" ? "content" : e.kind === "reasoning" ? "reasoning_content" : "refusal";
      m[field] = `${(m[field] as string | null | undefined) ?? ""}${e.text}`;
    } else if (e.type === "tool-call") {
      const m = slot(e.choice).message;
      const calls = ((m.tool_calls as Json[] | undefined) ??= []);
      const existing = calls[e.index] as { function: Json } | undefined;
      if (existing) existing.function.arguments = `${existing.function.arguments as string}${e.arguments}`;
      else calls[e.index] = { id: e.id ?? `call_${e.index}`, type: "function", function: { name: e.name ?? "", arguments: e.arguments } };
    } else if (e.type === "finish") slot(e.choice).finish = e.reason;
    else if (e.type === "usage") usage = { prompt_tokens: e.promptTokens, completion_tokens: e.completionTokens, total_tokens: e.promptTokens + e.completionTokens };
  }
  if (choices.size === 0) slot(0);
  return JSON.stringify({
    id: meta.id,
    object: "chat.completion",
    created: meta.created,
    model: meta.model,
    choices: [...choices.entries()].sort(([a], [b]) => a - b).map(([index, c]) => ({ index, message: c.message, logprobs: null, finish_reason: c.finish ?? "stop" })),
    ...(usage ? { usage } : {}),
  });
}
