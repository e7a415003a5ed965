import { describe, expect, it } from "vitest";
import { seededRandom } from "@/lib/simulator/random";
import type { ChatRequest, ChatTool } from "@/lib/simulator/request";
import { chooseTool, toolArguments } from "@/lib/simulator/tools";

const weather: ChatTool = {
  type: "function",
  function: {
    name: "get_weather",
    parameters: {
      type: "object",
      properties: {
        city: { type: "string" },
        unit: { type: "string", enum: ["celsius", "fahrenheit"] },
        days: { type: "integer", minimum: 1, maximum: 7 },
        detailed: { type: "boolean" },
        hours: { type: "array", items: { type: "number" } },
        where: { type: "object", properties: { lat: { type: "number" } }, required: ["lat"] },
        note: { type: "string" },
      },
      required: ["city", "unit", "days", "detailed", "hours", "where"],
    },
  },
};
const search: ChatTool = { type: "function", function: { name: "search_docs" } };

const request = (content: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({
  model: "m",
  messages: [{ role: "user", content }],
  tools: [weather, search],
  ...extra,
});

describe("chooseTool", () => {
  it("calls a tool the user names, with underscores written as spaces or not", () => {
    expect(chooseTool(request("please get weather for Oslo"))?.function.name).toBe("get_weather");
    expect(chooseTool(request("Use SEARCH_DOCS now"))?.function.name).toBe("search_docs");
  });

  it("answers in text when no tool is named and none is forced", () => {
    expect(chooseTool(request("hello there"))).toBeUndefined();
    expect(chooseTool(request("get weather", { tool_choice: "none" }))).toBeUndefined();
    expect(chooseTool(request("get weather", { tools: [] }))).toBeUndefined();
  });

  it("calls a tool when tool_choice requires one or names it", () => {
    expect(chooseTool(request("hello", { tool_choice: "required" }))?.function.name).toBe("get_weather");
    const named = { type: "function" as const, function: { name: "search_docs" } };
    expect(chooseTool(request("get weather", { tool_choice: named }))?.function.name).toBe("search_docs");
  });

  it("does not call a tool when the last message is not the user's", () => {
    const req = request("x", { tool_choice: "required" });
    req.messages.push({ role: "tool", tool_call_id: "call_1", content: "42" });
    expect(chooseTool(req)).toBeUndefined();
  });
});

describe("toolArguments", () => {
  it("fills the required properties following the schema", () => {
    const args = JSON.parse(toolArguments(weather, seededRandom(1), "What is the weather in Paris today?"));
    expect(Object.keys(args).sort()).toEqual(["city", "days", "detailed", "hours", "unit", "where"]);
    expect(args.city).toBe("Paris");
    expect(args.unit).toBe("celsius");
    expect(Number.isInteger(args.days) && args.days >= 1 && args.days <= 7).toBe(true);
    expect(args.detailed).toBe(true);
    expect(args.hours).toHaveLength(1);
    expect(typeof args.hours[0]).toBe("number");
    expect(typeof args.where.lat).toBe("number");
  });

  it("is deterministic and falls back to a placeholder string", () => {
    const a = toolArguments(weather, seededRandom(7), "weather please");
    expect(toolArguments(weather, seededRandom(7), "weather please")).toBe(a);
    expect(JSON.parse(toolArguments(search, seededRandom(1), "x"))).toEqual({});
    const query: ChatTool = { type: "function", function: { name: "q", parameters: { type: "object", properties: { q: { type: "string" } } } } };
    expect(JSON.parse(toolArguments(query, seededRandom(1), "?!"))).toEqual({ q: "example" });
  });
});
