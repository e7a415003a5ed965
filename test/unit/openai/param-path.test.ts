import { describe, expect, it } from "vitest";
import { paramPath } from "@/lib/openai/param-path";

describe("paramPath", () => {
  it("names a field as OpenAI's errors do", () => {
    expect(paramPath([])).toBe("");
    expect(paramPath(["model"])).toBe("model");
    expect(paramPath(["messages", 0, "content"])).toBe("messages[0].content");
    expect(paramPath(["tools", 2, "function", "name"])).toBe("tools[2].function.name");
    expect(paramPath(["settings", "maxAttempts"])).toBe("settings.maxAttempts");
    expect(paramPath([0, "x"])).toBe("[0].x");
  });
});
