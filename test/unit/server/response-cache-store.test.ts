/**
 * The response cache in the database, over the real migrations in memory: entries are stored
 * behind the answer, one at a time, and the size cap holds however quickly they come.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cacheBytes } from "@/db/queries/response-cache";
import type { CacheEntry } from "@/lib/gateway/response-cache";
import { databaseResponseCache } from "@/lib/server/response-cache-store";
import { createHarness, START, type Harness } from "../../helpers/gateway";

let h: Harness;
beforeEach(() => (h = createHarness()));
afterEach(() => h.close());

const entry = (text: string): CacheEntry => ({ answer: { type: "text", text } as never, model: "m", promptTokens: 1, completionTokens: 1, costMicros: 5 });
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("the database response cache", () => {
  it("answers put at once and has the entry for the next request", async () => {
    const cache = databaseResponseCache(1024 * 1024, { debug() {}, info() {}, warn() {}, error() {} });
    expect(cache.put("k1", "team_a", entry("hello"), START + 60_000, START)).toBeUndefined();
    await settle();
    expect(await cache.get("k1", "team_a", START + 1)).toMatchObject({ model: "m", costMicros: 5 });
    expect(await cache.get("k1", "team_a", START + 60_000)).toBeNull();
  });

  it("keeps the total under its cap when entries are put faster than they are written", async () => {
    const one = JSON.stringify(entry("x".repeat(100)).answer).length;
    const cache = databaseResponseCache(one * 3, { debug() {}, info() {}, warn() {}, error() {} });
    for (let i = 0; i < 10; i++) cache.put(`k${i}`, "team_a", entry("x".repeat(100)), START + 60_000, START + i);
    await settle();
    expect(await cacheBytes()).toBeLessThanOrEqual(one * 3);
    expect(await cache.get("k9", "team_a", START + 20)).not.toBeNull();
  });
});
