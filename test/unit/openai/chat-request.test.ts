/** The gateway and the simulator validate messages and tools with the same schemas, each with its own leniency. */
import { describe, expect, it } from "vitest";
import { GatewayError } from "@/lib/gateway/errors";
import { parseChatRequest as gatewayParse } from "@/lib/gateway/request-schema";
import { parseChatRequest as simulatorParse } from "@/lib/simulator/request";

const base = { model: "m", messages: [{ role: "user", content: "hi" }] };

function gatewayParam(body: unknown): string | null | "ok" {
  try {
    gatewayParse(body);
    return "ok";
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err;
    return err.param;
  }
}

function simulatorParam(body: unknown): string | null | "ok" {
  const parsed = simulatorParse(JSON.stringify(body));
  return parsed.ok ? "ok" : parsed.param;
}

describe("shared chat-request schemas", () => {
  it("refuse the same malformed messages and tool calls on both sides, naming the same param", () => {
    const bad = [
      { ...base, messages: [{ role: "robot", content: "hi" }] },
      { ...base, messages: [{ role: "user", content: 5 }] },
      { ...base, messages: [{ role: "assistant", content: null, tool_calls: [{ id: "c1", type: "function", function: { name: "f" } }] }] },
      { ...base, tools: [{ type: "retrieval" }] },
      { ...base, tool_choice: "sometimes" },
    ];
    for (const body of bad) {
      const param = gatewayParam(body);
      expect(param).not.toBe("ok");
      expect(simulatorParam(body)).toBe(param);
    }
  });

  it("accept any content part, loose fields and all, on both sides", () => {
    const body = { ...base, messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "https://x" } }, { type: "text", text: "hi" }], extra: 1 }] };
    expect(gatewayParam(body)).toBe("ok");
    expect(simulatorParam(body)).toBe("ok");
  });

  it("keep each side's own rules: the gateway polices tool names, the simulator a text part's text", () => {
    const badName = { ...base, tools: [{ type: "function", function: { name: "not allowed!" } }] };
    expect(gatewayParam(badName)).toBe("tools[0].function.name");
    expect(simulatorParam(badName)).toBe("ok");
    const numericText = { ...base, messages: [{ role: "user", content: [{ type: "text", text: 5 }] }] };
    expect(gatewayParam(numericText)).toBe("ok");
    expect(simulatorParam(numericText)).toBe("messages[0].content");
  });
});
