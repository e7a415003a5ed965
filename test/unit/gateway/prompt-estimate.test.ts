import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { estimatePromptTokens, FILE_BY_ID_TOKENS, IMAGE_LOW_TOKENS, IMAGE_TOKENS } from "@/lib/gateway/prompt-estimate";
import { countText } from "@/lib/gateway/tokens";
import { countPromptTokens } from "@/lib/simulator/prompt-tokens";
import type { ChatRequest } from "@/lib/simulator/request";

describe("estimatePromptTokens", () => {
  it("covers 120 named messages with empty content, which the old estimate put 119 tokens under", () => {
    const messages = Array.from({ length: 120 }, (_, i) => ({ role: "user", name: `u${i}`, content: "" }));
    const billed = countPromptTokens({ model: "m", messages } as ChatRequest);
    expect(estimatePromptTokens({ messages })).toBeGreaterThanOrEqual(billed);
    // 3 per message, its role, 1 per name and the name itself, 3 for the reply.
    const expected = 3 + messages.reduce((sum, m) => sum + 3 + countText("user") + 1 + countText(m.name), 0);
    expect(estimatePromptTokens({ messages })).toBe(expected);
  });

  it("charges images by detail level, audio and files by their size, a file by id a fixed amount", () => {
    const one = (part: unknown) => estimatePromptTokens({ messages: [{ role: "user", content: [part] }] }) - estimatePromptTokens({ messages: [{ role: "user", content: [] }] });
    expect(one({ type: "image_url", image_url: { url: "https://x/a.png", detail: "low" } })).toBe(IMAGE_LOW_TOKENS + 1);
    expect(one({ type: "image_url", image_url: { url: "https://x/a.png", detail: "high" } })).toBe(IMAGE_TOKENS + 1);
    expect(one({ type: "image_url", image_url: { url: "https://x/a.png" } })).toBe(IMAGE_TOKENS + 1);
    expect(one({ type: "input_audio", input_audio: { data: "A".repeat(1600), format: "wav" } })).toBe(101);
    expect(one({ type: "file", file: { file_id: "file-abc" } })).toBe(FILE_BY_ID_TOKENS + 1);
    expect(one({ type: "file", file: { file_data: "A".repeat(300), filename: "" } })).toBe(101);
    // A part type nobody knows yet is not free.
    expect(one({ type: "hologram", hologram: { id: 1 } })).toBeGreaterThan(IMAGE_TOKENS);
  });

  it("counts tools, legacy functions and a response_format schema", () => {
    const messages = [{ role: "user", content: "hi" }];
    const bare = estimatePromptTokens({ messages });
    const params = { type: "object", properties: { city: { type: "string", description: "City name" } }, required: ["city"] };
    const tools = [{ type: "function", function: { name: "weather", parameters: params } }];
    expect(estimatePromptTokens({ messages, tools })).toBeGreaterThan(bare + countText(JSON.stringify(params)));
    expect(estimatePromptTokens({ messages, functions: [{ name: "weather", parameters: params }] })).toBeGreaterThan(bare + countText(JSON.stringify(params)));
    const format = { type: "json_schema", json_schema: { name: "w", schema: params } };
    expect(estimatePromptTokens({ messages, response_format: format })).toBeGreaterThan(bare + countText(JSON.stringify(params)));
    expect(estimatePromptTokens({ messages, response_format: { type: "json_object" } })).toBe(bare);
  });

  it("is never below what the simulator bills, for generated requests", () => {
    const text = fc.oneof(fc.string({ maxLength: 60 }), fc.string({ unit: "grapheme", maxLength: 40 }), fc.constantFrom("", " ", "\n\n", "function f() { return 1; }"));
    const name = fc.stringMatching(/^[a-zA-Z0-9_-]{1,20}$/);
    const part = fc.oneof(
      text.map((t) => ({ type: "text", text: t })),
      fc.constantFrom("low", "high", "auto").map((detail) => ({ type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=", detail } })),
      fc.string({ unit: fc.constantFrom("A", "b", "+", "/"), maxLength: 2000 }).map((data) => ({ type: "input_audio", input_audio: { data, format: "mp3" } })),
    );
    const message = fc.record(
      {
        role: fc.constantFrom("system", "developer", "user", "assistant", "tool"),
        content: fc.oneof(text, fc.array(part, { maxLength: 4 }), fc.constant(null)),
        name,
      },
      { requiredKeys: ["role", "content"] },
    );
    const prop: fc.Arbitrary<Record<string, unknown>> = fc.letrec<{ schema: Record<string, unknown> }>((tie) => ({
      schema: fc.oneof(
        { depthSize: "small" },
        fc.record({ type: fc.constantFrom("string", "number", "integer", "boolean"), description: fc.option(text, { nil: undefined }) }, { requiredKeys: ["type"] }),
        fc.record({ type: fc.constant("string"), enum: fc.array(fc.string({ maxLength: 12 }), { minLength: 1, maxLength: 5 }) }),
        fc.record({ type: fc.constant("array"), items: tie("schema") }),
        fc.record({ type: fc.constant("object"), properties: fc.dictionary(name, tie("schema"), { maxKeys: 4 }), required: fc.array(name, { maxLength: 2 }) }),
      ),
    })).schema;
    const tool = fc.record({
      type: fc.constant("function" as const),
      function: fc.record(
        { name, description: text, parameters: fc.record({ type: fc.constant("object"), properties: fc.dictionary(name, prop, { maxKeys: 5 }) }) },
        { requiredKeys: ["name"] },
      ),
    });
    const request = fc.record(
      {
        messages: fc.array(message, { minLength: 1, maxLength: 12 }),
        tools: fc.array(tool, { minLength: 1, maxLength: 4 }),
        response_format: prop.map((schema) => ({ type: "json_schema", json_schema: { name: "out", schema } })),
      },
      { requiredKeys: ["messages"] },
    );
    fc.assert(
      fc.property(request, (req) => {
        const billed = countPromptTokens({ model: "m", ...req } as unknown as ChatRequest);
        expect(estimatePromptTokens(req as Parameters<typeof estimatePromptTokens>[0])).toBeGreaterThanOrEqual(billed);
      }),
      { numRuns: 400 },
    );
  });
});
