import { describe, expect, it } from "vitest";
import { OutputMeter } from "@/lib/gateway/output-meter";
import { tokenPieces } from "@/lib/simulator/tokens";
import { countText } from "@/lib/gateway/tokens";

const TEXT = "The quick brown fox jumps over the lazy dog, and then it keeps running across the yard. ".repeat(20);

describe("OutputMeter", () => {
  it("lets an upstream that stops exactly at the limit through, one token per event", () => {
    const pieces = tokenPieces(TEXT);
    const meter = new OutputMeter(pieces.length);
    for (const p of pieces) expect(meter.admit([[0, p]])).toBe(true);
    expect(meter.total()).toBe(countText(TEXT));
  });

  it("lets it through when events carry several tokens that count higher in pieces than whole", () => {
    const pieces = tokenPieces(TEXT);
    const limit = countText(TEXT);
    const meter = new OutputMeter(limit);
    // Seven characters at a time: most events split a token.
    for (let i = 0; i < TEXT.length; i += 7) expect(meter.admit([[0, TEXT.slice(i, i + 7)]])).toBe(true);
    expect(meter.total()).toBe(limit);
    expect(pieces.length).toBe(limit);
  });

  it("refuses the first event past the limit and keeps none of it", () => {
    const pieces = tokenPieces(TEXT);
    const meter = new OutputMeter(100);
    let admitted = 0;
    for (const p of pieces) {
      if (!meter.admit([[0, p]])) break;
      admitted++;
    }
    expect(admitted).toBe(100);
    expect(meter.total()).toBe(100);
  });

  it("counts every choice against one limit", () => {
    const pieces = tokenPieces(TEXT).slice(0, 30);
    const meter = new OutputMeter(50);
    let admitted = 0;
    for (const p of pieces) {
      if (!meter.admit([[0, p], [1, p]])) break;
      admitted++;
    }
    expect(admitted).toBe(25);
    expect(meter.total()).toBe(50);
  });

  it("only collects text without a limit, and survives a garbage choice index", () => {
    const meter = new OutputMeter(null);
    expect(meter.admit([[1e9, "hello"], [-1, " world"]])).toBe(true);
    expect(meter.total()).toBe(countText("hello world"));
  });
});
