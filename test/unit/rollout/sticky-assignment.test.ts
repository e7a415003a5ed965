import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { assignVariant, stickyPosition } from "@/lib/rollout/sticky-assignment";

const SEED = "5f2c0c1e9a7b4d3e8f6a1b2c3d4e5f60";

describe("sticky assignment", () => {
  it("hashes SHA-256(seed:key) into [0, 1)", () => {
    const expected = createHash("sha256").update("abc:user-1").digest().readUInt32BE(0) / 2 ** 32;
    expect(stickyPosition("abc", "user-1")).toBe(expected);
  });

  it.each([5, 25, 50])("sends %i %% of 10,000 keys to the candidate, ±1.5 points", (weight) => {
    let candidate = 0;
    for (let i = 0; i < 10_000; i++) if (assignVariant(SEED, `key-${i}`, weight) === "candidate") candidate++;
    expect(Math.abs(candidate / 100 - weight)).toBeLessThanOrEqual(1.5);
  });

  it("keeps a key's variant across 1,000 requests", () => {
    const first = assignVariant(SEED, "conversation:42", 25);
    for (let i = 0; i < 1000; i++) expect(assignVariant(SEED, "conversation:42", 25)).toBe(first);
  });

  it("only adds keys to the candidate when the weight rises", () => {
    for (let i = 0; i < 10_000; i++) {
      const key = `k${i}`;
      const at5 = assignVariant(SEED, key, 5);
      const at25 = assignVariant(SEED, key, 25);
      const at50 = assignVariant(SEED, key, 50);
      if (at5 === "candidate") expect(at25).toBe("candidate");
      if (at25 === "candidate") expect(at50).toBe("candidate");
    }
  });
});
