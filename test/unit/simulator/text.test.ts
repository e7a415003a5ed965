import { encode } from "gpt-tokenizer";
import { describe, expect, it } from "vitest";
import { randomFromDigest, replyDigest } from "@/lib/simulator/random";
import { generatePieces, MAX_REPLY_PIECES, MIN_REPLY_PIECES, replyLength } from "@/lib/simulator/text";

const rngFor = (prompt: string, seed = 0) => randomFromDigest(replyDigest(seed, [{ role: "user", content: prompt }]), 0);

describe("generatePieces", () => {
  it("gives the same text for the same prompt and seed", () => {
    const a = generatePieces(rngFor("Tell me about trains"), 60).join("");
    const b = generatePieces(rngFor("Tell me about trains"), 60).join("");
    expect(a).toBe(b);
  });

  it("gives different text for a different prompt or seed", () => {
    const base = generatePieces(rngFor("Tell me about trains"), 60).join("");
    expect(generatePieces(rngFor("Tell me about boats"), 60).join("")).not.toBe(base);
    expect(generatePieces(rngFor("Tell me about trains", 1), 60).join("")).not.toBe(base);
  });

  it("makes exactly the pieces asked for, each a single token, ending a sentence", () => {
    for (const count of [1, 2, 5, 24, 96]) {
      const pieces = generatePieces(rngFor(`count ${count}`), count);
      expect(pieces).toHaveLength(count);
      for (const piece of pieces) expect(encode(piece)).toHaveLength(1);
      if (count > 1) expect(pieces.at(-1)).toBe(".");
    }
  });

  it("puts a space before every word but the first, unless the text continues other text", () => {
    const pieces = generatePieces(rngFor("spaces"), 30);
    expect(pieces[0]).toMatch(/^[A-Z][a-z]*$/);
    for (const piece of pieces.slice(1)) expect(piece).toMatch(/^( [A-Za-z]+|[.,?])$/);
    expect(generatePieces(rngFor("spaces"), 3, true)[0]).toMatch(/^ [A-Z]/);
  });
});

describe("replyLength", () => {
  it("stays within the configured range", () => {
    const rng = rngFor("lengths");
    for (let i = 0; i < 200; i++) {
      const n = replyLength(rng);
      expect(n).toBeGreaterThanOrEqual(MIN_REPLY_PIECES);
      expect(n).toBeLessThanOrEqual(MAX_REPLY_PIECES);
    }
  });
});
