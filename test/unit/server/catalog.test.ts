/**
 * The catalog cache over the real migrations in memory: a fresh catalog costs no promise, callers
 * arriving during a reload share it, and nobody who arrives after an invalidate is handed a catalog
 * read before it.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createProvider } from "@/lib/admin/providers";
import { createCatalogCache, type CatalogCache } from "@/lib/server/catalog";
import { createHarness, type Harness } from "../../helpers/gateway";

let h: Harness;
let cache: CatalogCache;

beforeEach(() => {
  h = createHarness();
  cache = createCatalogCache("test-secret");
});
afterEach(() => h.close());

const provider = (name: string) => createProvider(h.admin, { name, kind: "openai-compatible", baseUrl: "https://api.example.com/v1" });
const names = (c: Awaited<ReturnType<CatalogCache["get"]>>) => [...c.providers.values()].map((p) => p.name).sort();

describe("the catalog cache", () => {
  it("answers at once, without a promise, while it is fresh", async () => {
    await provider("a");
    const loading = cache.get();
    expect(loading).toBeInstanceOf(Promise);
    const loaded = await loading;
    expect(cache.get()).toBe(loaded);
    expect(names(loaded)).toEqual(["a"]);
  });

  it("shares one reload among the callers that arrive while it runs", async () => {
    const first = cache.get();
    const second = cache.get();
    expect(second).toBe(first);
    expect(await second).toBe(await first);
  });

  it("reloads again for a caller after an invalidate that came during a reload, and keeps only the newer catalog", async () => {
    await provider("a");
    const before = cache.get();
    cache.invalidate();
    const after = cache.get();
    expect(after).not.toBe(before);
    const stale = await before;
    const fresh = await after;
    expect(cache.get()).toBe(fresh);
    expect(cache.get()).not.toBe(stale);
  });

  it("shows what an admin changed to the first caller after the invalidate", async () => {
    await provider("a");
    expect(names(await cache.get())).toEqual(["a"]);
    await provider("b");
    cache.invalidate();
    expect(names(await cache.get())).toEqual(["a", "b"]);
  });
});
