import { describe, expect, it } from "vitest";
import { parseSamples } from "@/db/queries-pg/usage-reports";

describe("parseSamples", () => {
  it("reads Postgres's text form of an integer array into an Int32Array, in order", () => {
    expect(parseSamples("{}")).toEqual(new Int32Array(0));
    expect(parseSamples("{7}")).toEqual(Int32Array.from([7]));
    expect(parseSamples("{300,0,-42,2147483647,-2147483648}")).toEqual(Int32Array.from([300, 0, -42, 2147483647, -2147483648]));
  });

  it("refuses an array with nulls rather than reading them as zeros", () => {
    expect(() => parseSamples("{1,NULL,3}")).toThrow(/without nulls/);
  });
});
