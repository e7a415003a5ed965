import { countTokens } from "gpt-tokenizer";
import { describe, expect, it } from "vitest";
import { resolveProfile } from "@/lib/simulator/profile";
import { planReply } from "@/lib/simulator/reply";
import type { ChatRequest } from "@/lib/simulator/request";

const ask = (content: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({
  model: "m",
  messages: [{ role: "user", content }],
  ...extra,
});
const profile = resolveProfile();

describe("planReply", () => {
  it("is the same for the same prompt and seed, byte for byte", () => {
    const a = planReply(ask("Explain queues"), profile);
    expect(planReply(ask("Explain queues"), profile)).toEqual(a);
    expect(planReply(ask("Explain stacks"), profile).pieces.join("")).not.toBe(a.pieces.join(""));
    expect(a.finishReason).toBe("stop");
    expect(a.completionTokens).toBe(a.pieces.length);
  });

  it("stops at max_completion_tokens, else max_tokens, with finish_reason length", () => {
    const full = planReply(ask("Explain queues"), profile);
    const capped = planReply(ask("Explain queues", { max_tokens: 5 }), profile);
    expect(capped.pieces).toEqual(full.pieces.slice(0, 5));
    expect(capped).toMatchObject({ finishReason: "length", completionTokens: 5 });
    const both = planReply(ask("Explain queues", { max_tokens: 5, max_completion_tokens: 3 }), profile);
    expect(both.pieces).toHaveLength(3);
    const roomy = planReply(ask("Explain queues", { max_tokens: 1000 }), profile);
    expect(roomy).toMatchObject({ finishReason: "stop", pieces: full.pieces });
  });

  it("uses the profile's outputTokens as the reply length", () => {
    const plan = planReply(ask("Explain queues"), resolveProfile({ outputTokens: 7 }));
    expect(plan).toMatchObject({ finishReason: "stop", completionTokens: 7 });
  });

  it("counts prompt tokens as OpenAI documents: per message 3 plus role and content, per name 1 more", () => {
    const messages: ChatRequest["messages"] = [
      { role: "system", content: "Be brief." },
      { role: "user", name: "ada", content: [{ type: "text", text: "Explain queues" }] },
    ];
    const expected = 3 + (3 + countTokens("system") + countTokens("Be brief.")) + (3 + countTokens("user") + countTokens("Explain queues") + 1 + countTokens("ada"));
    expect(planReply({ model: "m", messages }, profile).promptTokens).toBe(expected);
  });

  it("bills an image by its detail level and tools in their rendered form", () => {
    const image = (detail: string) => ({ role: "user" as const, content: [{ type: "image_url", image_url: { url: "data:image/png;base64,AAAA", detail } }] });
    const base = planReply({ model: "m", messages: [{ role: "user", content: [] }] }, profile).promptTokens;
    expect(planReply({ model: "m", messages: [image("low")] }, profile).promptTokens - base).toBe(85);
    expect(planReply({ model: "m", messages: [image("high")] }, profile).promptTokens - base).toBe(765);
    const tool = { type: "function" as const, function: { name: "get_weather", description: "Weather now", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } } };
    const withTool = planReply({ model: "m", messages: [{ role: "user", content: "hi" }], tools: [tool], tool_choice: "none" }, profile).promptTokens;
    const without = planReply({ model: "m", messages: [{ role: "user", content: "hi" }] }, profile).promptTokens;
    expect(withTool - without).toBe(countTokens("# Tools\n\n## functions\n\nnamespace functions {\n\n// Weather now\ntype get_weather = (_: {\ncity: string,\n}) => any;\n\n} // namespace functions"));
  });

  it("answers a json_schema response_format with JSON following the schema", () => {
    const schema = { type: "object", properties: { city: { type: "string" }, tempC: { type: "integer", minimum: -30, maximum: 45 }, sunny: { type: "boolean" } }, required: ["city", "tempC", "sunny"] };
    const plan = planReply(ask("Weather for Lisbon as JSON", { response_format: { type: "json_schema", json_schema: { name: "weather", schema } } }), profile);
    const value = JSON.parse(plan.pieces.join(""));
    expect(Object.keys(value)).toEqual(["city", "tempC", "sunny"]);
    // Strings come from the prompt's capitalised words.
    expect(["Lisbon", "JSON"]).toContain(value.city);
    expect(value.sunny).toBe(true);
    expect(value.tempC).toBeGreaterThanOrEqual(-30);
    expect(plan).toMatchObject({ finishReason: "stop", completionTokens: countTokens(plan.pieces.join("")) });
  });

  it("answers a tool result with text that quotes it", () => {
    const result = `{"temperature":21,"sky":"clear"}`;
    const long = "x".repeat(500);
    const follow = (content: string) =>
      planReply(
        {
          model: "m",
          messages: [
            { role: "user", content: "weather in Oslo?" },
            { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "get_weather", arguments: "{}" } }] },
            { role: "tool", tool_call_id: "call_1", content },
          ],
          tools: [{ type: "function", function: { name: "get_weather" } }],
        },
        profile,
      );
    const text = follow(result).pieces.join("");
    expect(text.startsWith("Based on the tool result")).toBe(true);
    expect(text).toContain(result);
    const clipped = follow(long).pieces.join("");
    expect(clipped).toContain("x".repeat(200));
    expect(clipped).not.toContain("x".repeat(201));
  });

  it("calls a tool with arguments whose token count is the completion", () => {
    const plan = planReply(
      ask("call lookup_user please", { tools: [{ type: "function", function: { name: "lookup_user", parameters: { type: "object", properties: { id: { type: "integer" } }, required: ["id"] } } }] }),
      profile,
    );
    expect(plan.finishReason).toBe("tool_calls");
    expect(plan.toolCall?.name).toBe("lookup_user");
    expect(plan.toolCall?.id).toMatch(/^call_[0-9a-f]{24}$/);
    expect(plan.pieces.join("")).toBe(plan.toolCall?.arguments);
    expect(plan.completionTokens).toBe(countTokens(plan.toolCall!.arguments));
  });
});
