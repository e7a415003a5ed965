import { describe, expect, it } from "vitest";
import { acceptedFields, applyCeiling, DEFAULT_MAX_OUTPUT_TOKENS, outputCeiling } from "@/lib/gateway/output-ceiling";

describe("outputCeiling", () => {
  it("reserves n choices of the ceiling", () => {
    expect(outputCeiling({ n: 50, max_tokens: 100 }, null, true)).toEqual({ perChoice: 100, choices: 50, total: 5000, enforced: true });
  });

  it("takes the larger of the two client fields, since either may be the one honoured, capped by the model", () => {
    expect(outputCeiling({ max_tokens: 100, max_completion_tokens: 5000 }, null, false).perChoice).toBe(5000);
    expect(outputCeiling({ max_tokens: 100, max_completion_tokens: 5000 }, 1000, false).perChoice).toBe(1000);
    expect(outputCeiling({ max_completion_tokens: 300 }, 1000, false)).toMatchObject({ perChoice: 300, enforced: true });
  });

  it("falls back to the model's maximum, then the default, and enforces only when something limits the output", () => {
    expect(outputCeiling({}, 700, false)).toMatchObject({ perChoice: 700, enforced: true });
    expect(outputCeiling({}, null, true)).toMatchObject({ perChoice: DEFAULT_MAX_OUTPUT_TOKENS, enforced: true });
    expect(outputCeiling({}, null, false)).toMatchObject({ perChoice: DEFAULT_MAX_OUTPUT_TOKENS, enforced: false });
  });
});

describe("applyCeiling", () => {
  it("sends the ceiling in both fields when the client set neither", () => {
    const body = applyCeiling({ model: "m" }, outputCeiling({}, null, true));
    expect(body).toMatchObject({ max_tokens: DEFAULT_MAX_OUTPUT_TOKENS, max_completion_tokens: DEFAULT_MAX_OUTPUT_TOKENS });
  });

  it("fills the field the client left out and lowers one above the model's maximum, keeping a lower one", () => {
    expect(applyCeiling({ max_completion_tokens: 50 }, outputCeiling({ max_completion_tokens: 50 }, null, false))).toEqual({ max_tokens: 50, max_completion_tokens: 50 });
    const c = outputCeiling({ max_tokens: 100, max_completion_tokens: 9000 }, 1000, true);
    expect(applyCeiling({ max_tokens: 100, max_completion_tokens: 9000 }, c)).toEqual({ max_tokens: 100, max_completion_tokens: 1000 });
  });

  it("leaves an unlimited request alone", () => {
    const body = { model: "m" };
    expect(applyCeiling(body, outputCeiling({}, null, false))).toBe(body);
  });
});

describe("acceptedFields", () => {
  it("drops the field a model's upstream rejects, carrying its value over when needed", () => {
    expect(acceptedFields({ max_tokens: 10, max_completion_tokens: 10 }, "max_completion_tokens")).toEqual({ max_completion_tokens: 10 });
    expect(acceptedFields({ max_completion_tokens: 40 }, "max_tokens")).toEqual({ max_tokens: 40 });
    expect(acceptedFields({ max_tokens: 10, max_completion_tokens: 40 }, "max_tokens")).toEqual({ max_tokens: 10 });
    const both = { max_tokens: 1 };
    expect(acceptedFields(both, "both")).toBe(both);
  });
});
