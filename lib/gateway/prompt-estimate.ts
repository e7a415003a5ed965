/**
 * The prompt side of a request's worst case, for budgets and TPM: an estimate meant to be at or
 * above what an OpenAI-style upstream reports as prompt_tokens, never below it.
 *
 * Text is counted with o200k. Around it, the overheads OpenAI documents for its chat format
 * (3 tokens per message plus its role, 1 more per `name`, 3 to prime the reply), and a fixed,
 * documented charge for what the tokenizer cannot see:
 * - an image part: 85 tokens at `detail: "low"`; otherwise 2,700, above the largest image OpenAI
 *   bills on its tile-priced models (8 tiles: 85 + 8 × 170 = 1,445) and its patch-priced ones
 *   (1,536 patches × 1.72 = 2,642). gpt-4o-mini's 33× image multiplier is not covered; its
 *   overruns are billed truthfully and recorded (see README, "Budgets").
 * - an audio part: 1 token per 16 base64 characters, far above OpenAI's audio token rate for any
 *   codec of 1 kbit/s or more.
 * - a file part: 1 token per 3 base64 characters of inline data (every decoded byte a token,
 *   plus room for page images), or 32,000 for a file sent by id, whose size the gateway cannot see.
 * - tools, legacy functions and a `response_format` schema: their JSON, which spells out more
 *   than the form OpenAI renders them in, plus a fixed 24 tokens for the surrounding preamble.
 */
import { countText } from "./tokens";

const PER_MESSAGE = 3;
const PER_NAME = 1;
const REPLY_PRIMING = 3;
// A part counted on its own can end one token later than it would inside the joined text.
const PER_PART = 1;
export const IMAGE_LOW_TOKENS = 85;
export const IMAGE_TOKENS = 2_700;
const AUDIO_BASE64_CHARS_PER_TOKEN = 16;
const FILE_BASE64_CHARS_PER_TOKEN = 3;
export const FILE_BY_ID_TOKENS = 32_000;
const SCHEMA_PREAMBLE = 24;
// A part type the gateway does not know yet: its JSON, and an image's worth of room.
const UNKNOWN_PART_EXTRA = IMAGE_TOKENS;

export interface EstimableRequest {
  messages: ReadonlyArray<Record<string, unknown>>;
  tools?: unknown;
  functions?: unknown;
  response_format?: unknown;
}

const str = (v: unknown): string => (typeof v === "string" ? v : "");

function partTokens(part: unknown): number {
  if (typeof part === "string") return countText(part) + PER_PART;
  if (!part || typeof part !== "object") return PER_PART;
  const p = part as Record<string, unknown>;
  switch (p.type) {
    case "text":
    case "input_text":
      return countText(str(p.text)) + PER_PART;
    case "refusal":
      return countText(str(p.refusal)) + PER_PART;
    case "image_url":
    case "input_image": {
      const image = p.image_url as Record<string, unknown> | string | undefined;
      const detail = typeof image === "object" && image ? image.detail : p.detail;
      return (detail === "low" ? IMAGE_LOW_TOKENS : IMAGE_TOKENS) + PER_PART;
    }
    case "input_audio": {
      const audio = p.input_audio as Record<string, unknown> | undefined;
      return Math.ceil(str(audio?.data).length / AUDIO_BASE64_CHARS_PER_TOKEN) + PER_PART;
    }
    case "file":
    case "input_file": {
      const file = (p.file as Record<string, unknown> | undefined) ?? p;
      const data = str(file.file_data);
      if (!data) return FILE_BY_ID_TOKENS + PER_PART;
      return Math.ceil(data.length / FILE_BASE64_CHARS_PER_TOKEN) + countText(str(file.filename)) + PER_PART;
    }
    default:
      return countText(JSON.stringify(part)) + UNKNOWN_PART_EXTRA;
  }
}

function contentTokens(content: unknown): number {
  if (typeof content === "string") return countText(content);
  if (Array.isArray(content)) return content.reduce<number>((sum, part) => sum + partTokens(part), 0);
  if (content === null || content === undefined) return 0;
  return countText(JSON.stringify(content));
}

/** JSON the upstream renders into the prompt (tool schemas and the like); 0 when absent. */
function schemaTokens(value: unknown): number {
  if (value === undefined || value === null) return 0;
  if (Array.isArray(value) && value.length === 0) return 0;
  return countText(JSON.stringify(value)) + SCHEMA_PREAMBLE;
}

function messageTokens(m: Record<string, unknown>): number {
  let total = PER_MESSAGE + countText(str(m.role)) + contentTokens(m.content);
  if (typeof m.name === "string") total += PER_NAME + countText(m.name);
  if (m.tool_calls !== undefined) total += countText(JSON.stringify(m.tool_calls));
  if (m.function_call !== undefined) total += countText(JSON.stringify(m.function_call));
  if (typeof m.tool_call_id === "string") total += countText(m.tool_call_id);
  // Passed through to the upstream, which may render it; counted rather than assumed free.
  if (m.audio !== undefined) total += countText(JSON.stringify(m.audio));
  return total;
}

/** Upper bound of the prompt tokens an OpenAI-style upstream will bill for this request. */
export function estimatePromptTokens(req: EstimableRequest): number {
  let total = REPLY_PRIMING;
  for (const m of req.messages) total += messageTokens(m);
  const format = req.response_format as { type?: unknown; json_schema?: unknown } | undefined;
  return total + schemaTokens(req.tools) + schemaTokens(req.functions) + (format?.type === "json_schema" ? schemaTokens(format.json_schema) : 0);
}
