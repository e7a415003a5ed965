/**
 * prompt_tokens as OpenAI bills them, modelled on its published rules: per message 3 tokens, the
 * role and the content, 1 more and the name's tokens for a `name`, 3 to prime the reply; images by
 * detail level (low 85; otherwise the tile price of a 1024×1024 image, 85 + 4 × 170 = 765, as the
 * simulator does not decode images); function definitions in the TypeScript-like form OpenAI
 * renders them into the system prompt; a JSON schema `response_format` as its compact JSON.
 */
import { countText as countTokens } from "../gateway/tokens";
import type { ChatRequest } from "./request";

const PER_MESSAGE = 3;
const PER_NAME = 1;
const PER_REPLY = 3;
const IMAGE_LOW = 85;
const IMAGE_1024 = 765;

type Json = Record<string, unknown>;
const str = (v: unknown) => (typeof v === "string" ? v : "");

function partTokens(part: Json): number {
  if (part.type === "text") return countTokens(str(part.text));
  if (part.type === "image_url") {
    const image = part.image_url as Json | undefined;
    return image?.detail === "low" ? IMAGE_LOW : IMAGE_1024;
  }
  // Audio and files are billed from their decoded content, which the simulator does not read.
  if (part.type === "input_audio") return Math.ceil(str((part.input_audio as Json | undefined)?.data).length / 400);
  if (part.type === "file") return Math.ceil(str((part.file as Json | undefined)?.file_data).length / 8);
  return 0;
}

function contentTokens(content: unknown): number {
  if (typeof content === "string") return countTokens(content);
  if (!Array.isArray(content)) return 0;
  // Consecutive text parts are read as one text; other parts are billed on their own.
  let text = "";
  let total = 0;
  for (const part of content as Json[]) {
    if (part.type === "text") text += str(part.text);
    else total += partTokens(part);
  }
  return total + countTokens(text);
}

/** A JSON-schema type as TypeScript, the way OpenAI renders tool parameters. */
function tsType(schema: unknown, indent: string): string {
  const s = (schema ?? {}) as Json;
  if (Array.isArray(s.enum)) return s.enum.map((v) => JSON.stringify(v)).join(" | ");
  if (s.type === "array") return `${tsType(s.items, indent)}[]`;
  if (s.type === "object" && s.properties && typeof s.properties === "object") {
    const required = new Set(Array.isArray(s.required) ? (s.required as string[]) : []);
    const lines = Object.entries(s.properties as Json).map(([name, prop]) => {
      const desc = str((prop as Json | null)?.description);
      return `${desc ? `${indent}// ${desc}\n` : ""}${indent}${name}${required.has(name) ? "" : "?"}: ${tsType(prop, `${indent}  `)},`;
    });
    return `{\n${lines.join("\n")}\n${indent.slice(2)}}`;
  }
  if (s.type === "integer") return "number";
  return typeof s.type === "string" ? s.type : "any";
}

function renderFunctions(functions: Json[]): string {
  const defs = functions.map((f) => {
    const desc = str(f.description);
    const params = f.parameters as Json | undefined;
    const hasParams = params && params.properties && Object.keys(params.properties as Json).length > 0;
    return `${desc ? `// ${desc}\n` : ""}type ${str(f.name)} = (${hasParams ? `_: ${tsType(params, "")}` : ""}) => any;`;
  });
  return `# Tools\n\n## functions\n\nnamespace functions {\n\n${defs.join("\n\n")}\n\n} // namespace functions`;
}

export function countPromptTokens(request: ChatRequest): number {
  let total = PER_REPLY;
  for (const m of request.messages) {
    total += PER_MESSAGE + countTokens(m.role) + contentTokens(m.content);
    if (m.name) total += PER_NAME + countTokens(m.name);
    for (const call of m.tool_calls ?? []) total += countTokens(call.function.name + call.function.arguments);
  }
  const functions = [...(request.tools ?? []).map((t) => t.function as Json), ...((request as Json).functions as Json[] | undefined ?? [])];
  if (functions.length > 0) total += countTokens(renderFunctions(functions));
  const format = (request as Json).response_format as Json | undefined;
  if (format?.type === "json_schema") total += countTokens(JSON.stringify(format.json_schema));
  return total;
}
