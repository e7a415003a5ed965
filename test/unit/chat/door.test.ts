import { APICallError } from "ai";
import { describe, expect, it } from "vitest";
import { describeChatError } from "@/lib/chat/door";

/** The error the AI SDK raises for an answer from the gateway, as the chat door sees it. */
function answered(status: number, error: { message: string; code?: string }, headers: Record<string, string> = {}) {
  return new APICallError({
    message: error.message,
    url: "http://internal/v1/chat/completions",
    requestBodyValues: {},
    statusCode: status,
    responseHeaders: headers,
    responseBody: JSON.stringify({ error: { type: "upstream_error", ...error } }),
  });
}

const described = (err: unknown) => JSON.parse(describeChatError(err)) as { kind: string; message: string; code: string | null };

describe("describeChatError", () => {
  it("tells a person the provider could not be reached without naming internal hosts or ports", () => {
    const out = described(answered(502, { message: "Upstream request failed: connect ECONNREFUSED 127.0.0.1:4799", code: "upstream_error" }));
    expect(out.kind).toBe("upstream_down");
    expect(out.message).toBe("The model's provider could not be reached.");
    expect(out.message).not.toMatch(/\d+\.\d+\.\d+\.\d+|:\d{2,5}|ECONN/);
  });

  it("says a timeout is a timeout", () => {
    const out = described(answered(504, { message: "Upstream timed out after 30000 ms (http://10.0.0.7:8000/v1)", code: "timeout" }));
    expect(out.message).toBe("The model's provider did not answer in time.");
  });

  it("keeps the gateway's own words for limits and refusals, which name nothing internal", () => {
    const limited = described(answered(429, { message: "Rate limit reached for team RPM (60).", code: "rate_limit_exceeded" }, { "retry-after": "3" }));
    expect(limited).toMatchObject({ kind: "rate_limited", message: "Rate limit reached for team RPM (60)." });
    const refused = described(answered(404, { message: "The model 'gpt-9' does not exist.", code: "model_not_found" }));
    expect(refused).toMatchObject({ kind: "rejected", message: "The model 'gpt-9' does not exist." });
  });
});
