/**
 * The store's key cache against key expiry and rotation, in-process with a clock moved by hand: a
 * key that was cached while live is refused from the instant it expires, though nothing bumped the
 * callers version, and a rotated key works exactly until the end of its grace period.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readCallersVersion } from "@/db/queries/auth";
import { createTeamKey, revokeKey, rotateKey } from "@/lib/admin/keys";
import { sha256Hex } from "@/lib/secrets";
import { createCatalogCache } from "@/lib/server/catalog";
import { createStore } from "@/lib/server/store";
import { completion } from "../../helpers/fake-upstream";
import { createHarness, jsonOf, START, type Harness } from "../../helpers/gateway";

let h: Harness;
let teamId: string;

beforeEach(async () => {
  h = createHarness();
  h.upstream.handle(null, () => completion("hi", { prompt_tokens: 5, completion_tokens: 1 }));
  await h.model("primary");
  teamId = (await h.team()).id;
});

afterEach(() => h.close());

const statusOf = async (key: string) => (await h.chat(key)).status;

describe("a key with an expiry", () => {
  it("works until its instant, from the cache, and is refused with its own message from then on", async () => {
    const expiresAt = START + 60_000;
    const { key } = await createTeamKey(h.admin, teamId, { name: "short", expiresAt: new Date(expiresAt).toISOString() });
    expect(await statusOf(key)).toBe(200);
    h.clock.advance(59_999);
    // Cached since the first call; no write has bumped the version since.
    expect(await statusOf(key)).toBe(200);

    h.clock.advance(1);
    const refused = await h.chat(key);
    expect(refused.status).toBe(401);
    expect(jsonOf(refused).error).toEqual({
      type: "invalid_request_error",
      code: "expired_api_key",
      param: null,
      message: "This API key expired at 2025-06-15T12:01:00.000Z. Ask an admin for a new key.",
    });
    expect(h.upstream.calls).toHaveLength(2);
  });

  it("leaves the message for a key that never existed as it was", async () => {
    const res = await h.chat("sk-sy-not-a-key");
    expect(jsonOf(res).error.code).toBe("invalid_api_key");
  });
});

describe("a rotated key", () => {
  it("works, from the cache, until the end of its grace period; the new key works from the start", async () => {
    const old = await createTeamKey(h.admin, teamId, { name: "svc", rpmLimit: 50 });
    expect(await statusOf(old.key)).toBe(200);

    const rotated = await rotateKey(h.admin, old.id, { graceSeconds: 300 });
    expect(rotated).toMatchObject({ name: "svc", rpmLimit: 50, teamId, replaces: old.id, oldKeyExpiresAt: new Date(START + 300_000).toISOString(), status: "active" });
    expect(rotated.key).not.toBe(old.key);
    expect(await statusOf(rotated.key)).toBe(200);
    expect(await statusOf(old.key)).toBe(200);

    h.clock.advance(299_999);
    expect(await statusOf(old.key)).toBe(200);
    h.clock.advance(1);
    expect(jsonOf(await h.chat(old.key)).error).toMatchObject({
      code: "expired_api_key",
      message: "This API key was rotated and its grace period ended at 2025-06-15T12:05:00.000Z. Use the key that replaced it.",
    });
    expect(await statusOf(rotated.key)).toBe(200);
  });

  it("with no grace period is revoked at once, even while cached", async () => {
    const old = await createTeamKey(h.admin, teamId, { name: "svc" });
    expect(await statusOf(old.key)).toBe(200);
    const rotated = await rotateKey(h.admin, old.id, { graceSeconds: 0 });
    expect(rotated.oldKeyExpiresAt).toBe(new Date(START).toISOString());
    expect(jsonOf(await h.chat(old.key)).error.code).toBe("invalid_api_key");
    expect(await statusOf(rotated.key)).toBe(200);
  });

  it("never outlives an expiry it already had", async () => {
    const old = await createTeamKey(h.admin, teamId, { name: "svc", expiresAt: new Date(START + 60_000).toISOString() });
    const rotated = await rotateKey(h.admin, old.id, { graceSeconds: 3600 });
    expect(rotated.oldKeyExpiresAt).toBe(new Date(START + 60_000).toISOString());
  });
});

describe("the callers version other processes watch", () => {
  it("moves with every rotation and revocation, so their caches drop the key", async () => {
    const k = await createTeamKey(h.admin, teamId, { name: "svc" });
    const afterCreate = await readCallersVersion();
    const rotated = await rotateKey(h.admin, k.id, { graceSeconds: 600 });
    const afterRotate = await readCallersVersion();
    expect(afterRotate).not.toBe(afterCreate);
    await revokeKey(h.admin, rotated.id);
    expect(await readCallersVersion()).not.toBe(afterRotate);
  });
});

describe("the key cache", () => {
  it("answers a known key without a promise, so a cached request waits on no query", async () => {
    const { key } = await createTeamKey(h.admin, teamId, { name: "hot" });
    const store = h.gateway.deps.store;
    const miss = store.callerForKeyHash(sha256Hex(key));
    expect(miss).toBeInstanceOf(Promise);
    const caller = await miss;
    const hit = store.callerForKeyHash(sha256Hex(key));
    expect(hit).not.toBeInstanceOf(Promise);
    expect(hit).toEqual(caller);
  });

  it("drops a key revoked in this process at once", async () => {
    const k = await createTeamKey(h.admin, teamId, { name: "gone" });
    const store = h.gateway.deps.store;
    await store.callerForKeyHash(sha256Hex(k.key));
    await revokeKey(h.admin, k.id);
    expect(await store.callerForKeyHash(sha256Hex(k.key))).toBeNull();
  });
});

describe("events written behind the caller", () => {
  it("log a write that fails instead of throwing it at the caller", async () => {
    const errors: string[] = [];
    const log = { debug() {}, info() {}, warn() {}, error: (msg: string) => void errors.push(msg) };
    const store = createStore(createCatalogCache("test-secret"), h.usage, h.clock.now, log);
    // A BigInt cannot be stored as JSON, so the insert fails.
    expect(() => store.recordEvent({ type: "breaker.open", subjectType: "model", subjectId: "m", actor: "system", data: { n: 1n } })).not.toThrow();
    await new Promise((resolve) => setImmediate(resolve));
    expect(errors).toEqual(["event write failed"]);
  });
});
