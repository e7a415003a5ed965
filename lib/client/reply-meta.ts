/** The line under an assistant reply: "sim-balanced · control · 8 → 31 tokens · $0.000132 · TTFT 174 ms". */
import type { ReplyMetadata } from "@/lib/chat/door";

/** Small amounts keep six decimals ("$0.000132"); from a cent up, four are enough. */
export function formatUsd(usd: number): string {
  if (usd === 0) return "$0";
  return `$${usd < 0.01 ? usd.toFixed(6) : usd.toFixed(4)}`;
}

export function formatMillis(ms: number): string {
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms).toLocaleString("en-US")} ms`;
}

const isNum = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

export function replyMetaParts(meta: ReplyMetadata | undefined, opts: { latency?: boolean } = {}): string[] {
  if (!meta) return [];
  const parts: string[] = [];
  if (meta.model) parts.push(meta.model);
  if (meta.variant) parts.push(meta.variant);
  if (isNum(meta.promptTokens) && isNum(meta.completionTokens)) parts.push(`${meta.promptTokens} → ${meta.completionTokens} tokens`);
  if (isNum(meta.costUsd)) parts.push(formatUsd(meta.costUsd));
  if (opts.latency && isNum(meta.latencyMs)) parts.push(`latency ${formatMillis(meta.latencyMs)}`);
  if (isNum(meta.ttftMs)) parts.push(`TTFT ${formatMillis(meta.ttftMs)}`);
  return parts;
}

export function replyMetaLine(meta: ReplyMetadata | undefined, opts: { latency?: boolean } = {}): string {
  return replyMetaParts(meta, opts).join(" · ");
}
