import { describe, expect, it } from "vitest";
import { parseTemperature } from "@/lib/client/chat";

describe("a temperature as typed", () => {
  it("is a number from 0 to 2, a comma for the decimal point too, or blank for the model's default", () => {
    expect(parseTemperature("0.7")).toEqual({ value: 0.7 });
    expect(parseTemperature(" 1,5 ")).toEqual({ value: 1.5 });
    expect(parseTemperature("0")).toEqual({ value: 0 });
    expect(parseTemperature("2")).toEqual({ value: 2 });
    expect(parseTemperature("")).toEqual({ value: null });
  });

  it("is refused outside 0 to 2 or when not a number", () => {
    for (const text of ["2.1", "-0.1", "warm", "1e9", "NaN"]) expect(parseTemperature(text).error, text).toMatch(/^Enter a number from 0 to 2/);
  });
});
