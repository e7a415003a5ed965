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

  it("counts prompt tokens with a per-message overhead", () => {
    const messages: ChatRequest["messages"] = [
      { role: "system", content: "Be brief." },
      { role: "user", content: [{ type: "text", text: "Explain queues" }] },
    ];
    const expected = 3 + (3 + countTokens("Be brief.")) + (3 + countTokens("Explain queues"));
    expect(planReply({ model: "m", messages }, profile).promptTokens).toBe(expected);
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
