// Decides when the simulated model calls a tool, and invents schema-shaped arguments for it.
import { pick, randomInt } from "./random";
import type { ChatRequest, ChatTool } from "./request";
import { messageText } from "./tokens";

export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

/** The tool to call for this request, if any: forced by tool_choice or named in the user's last message. */
export function chooseTool(request: ChatRequest): ChatTool | undefined {
  const { tools, tool_choice: choice, messages } = request;
  const last = messages.at(-1);
  if (!tools?.length || choice === "none" || last?.role !== "user") return undefined;
  if (typeof choice === "object" && choice) return tools.find((t) => t.function.name === choice.function.name);
  const text = messageText(last).toLowerCase();
  const mentioned = tools.find((t) => mentions(text, t.function.name.toLowerCase()));
  return mentioned ?? (choice === "required" ? tools[0] : undefined);
}

function mentions(text: string, name: string): boolean {
  return text.includes(name) || text.includes(name.replace(/[_-]+/g, " "));
}

/** Arguments as a JSON string, following the tool's parameter schema. */
export function toolArguments(tool: ChatTool, rng: () => number, promptText: string): string {
  return schemaJson(tool.function.parameters ?? { type: "object" }, rng, promptText);
}

/** A JSON value following a JSON schema, strings taken from the prompt's words. */
export function schemaJson(schema: unknown, rng: () => number, promptText: string): string {
  const words = promptText.match(/[A-Za-z][A-Za-z0-9'-]{2,}/g) ?? [];
  // Capitalised words after the first are likely names ("Paris"), the best guess for a string.
  const names = words.slice(1).filter((w) => /^[A-Z]/.test(w));
  const strings = names.length > 0 ? names : words;
  const value = (schema: unknown, depth: number): unknown => {
    if (!schema || typeof schema !== "object" || depth > 5) return null;
    const s = schema as Record<string, unknown>;
    if ("const" in s) return s.const;
    if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum[0];
    const variants = s.anyOf ?? s.oneOf;
    if (Array.isArray(variants) && variants.length > 0) return value(variants[0], depth + 1);
    const type = Array.isArray(s.type) ? s.type.find((t) => t !== "null") : s.type;
    switch (type) {
      case "object":
        return objectValue(s, (child) => value(child, depth + 1));
      case "array":
        return s.items ? [value(s.items, depth + 1)] : [];
      case "number":
      case "integer": {
        const min = typeof s.minimum === "number" ? Math.ceil(s.minimum) : 1;
        const max = typeof s.maximum === "number" ? Math.floor(s.maximum) : min + 99;
        return max >= min ? randomInt(rng, min, max) : min;
      }
      case "boolean":
        return true;
      case "null":
        return null;
      default:
        return strings.length > 0 ? pick(rng, strings) : "example";
    }
  };
  return JSON.stringify(value(schema, 0));
}

// Required properties; all of them when the schema lists none as required.
function objectValue(schema: Record<string, unknown>, value: (schema: unknown) => unknown): Record<string, unknown> {
  const properties = (schema.properties ?? {}) as Record<string, unknown>;
  const required = Array.isArray(schema.required) ? (schema.required as string[]) : [];
  const keys = required.length > 0 ? required : Object.keys(properties);
  return Object.fromEntries(keys.map((key) => [key, value(properties[key] ?? {})]));
}

export function toolCallId(digest: string): string {
  return `call_${digest.slice(40, 64)}`;
}
