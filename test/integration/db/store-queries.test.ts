/**
 * The store's query modules against both databases: every case runs on SQLite and on Postgres and
 * must give the same rows, orders, nulls, conflicts and transaction outcomes.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { NewApiKeyRow, NewEventRow, NewModelRow, NewProviderRow, NewRouteRow, NewTeamRow, NewUsageRow } from "@/db/schema";
import { dialects, failureOf } from "../../helpers/store-dialects";

const provider = (id: string, over: Partial<NewProviderRow> = {}): NewProviderRow => ({ id, name: id, kind: "simulator", createdAt: 100, updatedAt: 100, ...over });
const model = (id: string, over: Partial<NewModelRow> = {}): NewModelRow => ({
  id, name: id, providerId: "p1", upstreamModel: `up-${id}`, inputMicrosPerMTok: 1_000_000, outputMicrosPerMTok: 2_000_000, createdAt: 100, updatedAt: 100, ...over,
});
const team = (id: string, over: Partial<NewTeamRow> = {}): NewTeamRow => ({ id, name: id, createdAt: 100, updatedAt: 100, ...over });
const key = (id: string, teamId: string, over: Partial<NewApiKeyRow> = {}): NewApiKeyRow => ({
  id, teamId, name: id, prefix: `sk-${id}`, keyHash: `hash-${id}`, createdAt: 100, ...over,
});
const event = (over: Partial<NewEventRow> = {}): NewEventRow => ({ createdAt: 100, type: "route.created", subjectType: "route", subjectId: "r1", actor: "system", ...over });
const route = (id: string, over: Partial<NewRouteRow> = {}): NewRouteRow => ({
  id, name: id, seed: `seed-${id}`, status: "running", controlModel: "m1", candidateModel: "m2", candidateWeight: 12.3, stages: [5, 25, 50, 100],
  stageStartedAt: 1_000, guardrails: { maxErrorRate: 0.05, maxP95LatencyMs: null }, createdAt: 100, updatedAt: 100, ...over,
});
let requestSeq = 0;
const usageRow = (routeId: string, createdAt: number, over: Partial<NewUsageRow> = {}): NewUsageRow => ({
  requestId: `req_${++requestSeq}`, createdAt, routeId, variant: "control", status: "ok", httpStatus: 200, latencyMs: 40, ttftMs: 10, costMicros: 7, ...over,
});

describe.each(dialects)("store queries on $name", (dialect) => {
  const q = dialect.store;
  beforeAll(() => dialect.open());
  afterAll(() => dialect.close());
  beforeEach(() => dialect.reset());

  describe("settings", () => {
    it("reads nothing until set, then the latest value", async () => {
      expect(await q.settings.getSetting({ key: "k" })).toBeUndefined();
      await q.settings.setSetting({ key: "k", value: "one", now: 1 });
      await q.settings.setSetting({ key: "k", value: "two", now: 2 });
      expect(await q.settings.getSetting({ key: "k" })).toBe("two");
    });
  });

  describe("providers", () => {
    it("are listed by creation then id, found by id and name, updated and counted", async () => {
      await q.providers.insertProvider(provider("pb", { createdAt: 200 }));
      await q.providers.insertProvider(provider("pc", { createdAt: 100 }));
      const inserted = await q.providers.insertProvider(provider("pa", { createdAt: 200, settings: { timeoutMs: 5000, retries: { max: 2 } } }));
      expect(inserted).toEqual({
        id: "pa", name: "pa", kind: "simulator", baseUrl: null, apiKeyCiphertext: null, apiKeyLast4: null,
        settings: { timeoutMs: 5000, retries: { max: 2 } }, createdAt: 200, updatedAt: 100,
      });
      expect((await q.providers.listProviders()).map((p) => p.id)).toEqual(["pc", "pa", "pb"]);
      expect((await q.providers.getProviderByName({ name: "pb" }))?.id).toBe("pb");
      expect(await q.providers.getProviderById({ id: "nope" })).toBeUndefined();
      expect(await q.providers.countProviders()).toBe(3);
      expect(await q.providers.updateProvider({ id: "pb", patch: { baseUrl: "http://x", apiKeyLast4: "abcd", updatedAt: 300 } })).toMatchObject({ baseUrl: "http://x", apiKeyLast4: "abcd", updatedAt: 300, settings: {} });
      expect(await q.providers.updateProvider({ id: "nope", patch: { baseUrl: "http://x" } })).toBeUndefined();
    });

    it("a second provider with a taken name is refused", async () => {
      await q.providers.insertProvider(provider("p1", { name: "same" }));
      expect(await failureOf(() => q.providers.insertProvider(provider("p2", { name: "same" })))).toMatch(/unique/i);
      expect(await q.providers.countProviders()).toBe(1);
    });

    it("one that models use cannot be deleted; an unused one can, once", async () => {
      await q.providers.insertProvider(provider("p1"));
      await q.providers.insertProvider(provider("p2"));
      await q.models.insertModel(model("m1"));
      expect(await q.providers.countModelsUsingProvider({ providerId: "p1" })).toBe(1);
      expect(await q.providers.countModelsUsingProvider({ providerId: "p2" })).toBe(0);
      expect(await failureOf(() => q.providers.deleteProvider({ id: "p1" }))).toMatch(/foreign key/i);
      expect(await q.providers.getProviderById({ id: "p1" })).toBeDefined();
      expect(await q.providers.deleteProvider({ id: "p2" })).toBe(true);
      expect(await q.providers.deleteProvider({ id: "p2" })).toBe(false);
    });
  });

  describe("teams and the callers version", () => {
    it("keep null and empty allow-lists apart and read JSON back as written", async () => {
      await q.teams.insertTeam(team("t1", { allowedModels: null }));
      await q.teams.insertTeam(team("t2", { allowedModels: [], responseCache: { mode: "deterministic", ttlSeconds: 60 }, dailyBudgetMicros: 5_000_000_000_000 }));
      expect(await q.teams.getTeamById({ id: "t1" })).toEqual({
        id: "t1", name: "t1", rpmLimit: null, tpmLimit: null, dailyBudgetMicros: null, monthlyBudgetMicros: null, alertThresholdPct: 80,
        allowedModels: null, responseCache: null, createdAt: 100, updatedAt: 100,
      });
      expect(await q.teams.getTeamByName({ name: "t2" })).toMatchObject({ allowedModels: [], responseCache: { mode: "deterministic", ttlSeconds: 60 }, dailyBudgetMicros: 5_000_000_000_000 });
      expect(await q.teams.countTeams()).toBe(2);
      expect((await q.teams.listTeams()).map((t) => t.id)).toEqual(["t1", "t2"]);
      expect(await failureOf(() => q.teams.insertTeam(team("t3", { name: "t1" })))).toMatch(/unique/i);
    });

    it("a team's update and deletion bump the callers version; a miss does not", async () => {
      const here = await q.auth.callersChangedHere();
      expect(await q.auth.readCallersVersion()).toBe("0");
      await q.teams.insertTeam(team("t1"));
      await q.apiKeys.insertApiKey(key("k1", "t1"));
      expect(await q.auth.readCallersVersion()).toBe("1");

      expect(await q.teams.updateTeam({ id: "t1", patch: { rpmLimit: 60, allowedModels: ["m1"] }, now: 500 })).toMatchObject({ rpmLimit: 60, allowedModels: ["m1"] });
      expect(await q.auth.readCallersVersion()).toBe("2");
      expect(await q.teams.updateTeam({ id: "nope", patch: { rpmLimit: 1 }, now: 500 })).toBeUndefined();
      expect(await q.auth.readCallersVersion()).toBe("2");

      expect(await q.teams.deleteTeam({ id: "t1", now: 600 })).toBe(true);
      expect(await q.apiKeys.getApiKeyById({ id: "k1" })).toBeUndefined();
      expect(await q.teams.deleteTeam({ id: "t1", now: 600 })).toBe(false);
      expect(await q.auth.readCallersVersion()).toBe("3");
      expect(await q.auth.callersChangedHere()).toBe(here + 3);
    });
  });

  describe("API keys", () => {
    beforeEach(async () => {
      await q.teams.insertTeam(team("t1", { rpmLimit: 10, allowedModels: ["m1"] }));
    });

    it("are listed without their hash, by creation then id", async () => {
      const inserted = await q.apiKeys.insertApiKey(key("kb", "t1", { createdAt: 200, rpmLimit: 5 }));
      expect(inserted).toEqual({ id: "kb", teamId: "t1", name: "kb", prefix: "sk-kb", rpmLimit: 5, createdAt: 200, revokedAt: null, expiresAt: null, replacedById: null });
      await q.apiKeys.insertApiKey(key("ka", "t1", { createdAt: 200 }));
      await q.apiKeys.insertApiKey(key("kc", "t1", { createdAt: 150 }));
      expect((await q.apiKeys.listKeysByTeam({ teamId: "t1" })).map((k) => k.id)).toEqual(["kc", "ka", "kb"]);
      expect(await q.apiKeys.getApiKeyById({ id: "ka" })).not.toHaveProperty("keyHash");
      expect(await q.apiKeys.listKeysByTeam({ teamId: "other" })).toEqual([]);
    });

    it("a key with a hash already taken is refused, and the version stays", async () => {
      await q.apiKeys.insertApiKey(key("k1", "t1"));
      expect(await failureOf(() => q.apiKeys.insertApiKey(key("k2", "t1", { keyHash: "hash-k1" })))).toMatch(/unique/i);
      expect(await q.auth.readCallersVersion()).toBe("1");
    });

    it("revoking keeps the first instant and bumps the version once", async () => {
      await q.apiKeys.insertApiKey(key("k1", "t1"));
      expect(await q.apiKeys.revokeApiKey({ id: "k1", now: 300 })).toMatchObject({ id: "k1", revokedAt: 300 });
      expect(await q.apiKeys.revokeApiKey({ id: "k1", now: 400 })).toMatchObject({ id: "k1", revokedAt: 300 });
      expect(await q.apiKeys.revokeApiKey({ id: "nope", now: 400 })).toBeUndefined();
      expect(await q.auth.readCallersVersion()).toBe("2");
    });

    it("rotation inserts the new key and ends the old one at the earlier expiry, once", async () => {
      await q.apiKeys.insertApiKey(key("k1", "t1", { expiresAt: 10_000 }));
      const out = await q.apiKeys.rotateApiKey({ id: "k1", replacement: key("k2", "t1", { createdAt: 500 }), oldExpiresAt: 20_000, now: 500 });
      expect(out).toEqual({
        ok: true,
        old: { id: "k1", teamId: "t1", name: "k1", prefix: "sk-k1", rpmLimit: null, createdAt: 100, revokedAt: null, expiresAt: 10_000, replacedById: "k2" },
        created: { id: "k2", teamId: "t1", name: "k2", prefix: "sk-k2", rpmLimit: null, createdAt: 500, revokedAt: null, expiresAt: null, replacedById: null },
      });
      expect(await q.auth.readCallersVersion()).toBe("2");
      expect(await q.apiKeys.rotateApiKey({ id: "k1", replacement: key("k3", "t1"), oldExpiresAt: 600, now: 600 })).toMatchObject({ ok: false, reason: "rotated", old: { id: "k1" } });
      expect(await q.apiKeys.getApiKeyById({ id: "k3" })).toBeUndefined();
    });

    it("rotation with no grace revokes the old key at once", async () => {
      await q.apiKeys.insertApiKey(key("k1", "t1"));
      const out = await q.apiKeys.rotateApiKey({ id: "k1", replacement: key("k2", "t1"), oldExpiresAt: 700, now: 700 });
      expect(out).toMatchObject({ ok: true, old: { revokedAt: 700, expiresAt: 700, replacedById: "k2" } });
    });

    it("a missing, revoked or expired key is not rotated", async () => {
      await q.apiKeys.insertApiKey(key("gone", "t1"));
      await q.apiKeys.revokeApiKey({ id: "gone", now: 200 });
      await q.apiKeys.insertApiKey(key("old", "t1", { expiresAt: 300 }));
      const rotate = (id: string) => q.apiKeys.rotateApiKey({ id, replacement: key(`new-${id}`, "t1"), oldExpiresAt: 900, now: 300 });
      expect(await rotate("nope")).toEqual({ ok: false, reason: "not_found" });
      expect(await rotate("gone")).toMatchObject({ ok: false, reason: "revoked", old: { id: "gone", revokedAt: 200 } });
      expect(await rotate("old")).toMatchObject({ ok: false, reason: "expired", old: { id: "old", expiresAt: 300 } });
      expect((await q.apiKeys.listKeysByTeam({ teamId: "t1" })).map((k) => k.id)).toEqual(["gone", "old"]);
    });

    it("a rotation that fails part way leaves the old key as it was", async () => {
      await q.apiKeys.insertApiKey(key("k1", "t1"));
      await q.apiKeys.insertApiKey(key("k9", "t1"));
      // The replacement's hash is taken: its insert fails inside the transaction.
      expect(await failureOf(() => q.apiKeys.rotateApiKey({ id: "k1", replacement: key("k2", "t1", { keyHash: "hash-k9" }), oldExpiresAt: 900, now: 300 }))).toMatch(/unique/i);
      expect(await q.apiKeys.getApiKeyById({ id: "k1" })).toMatchObject({ revokedAt: null, expiresAt: null, replacedById: null });
      expect(await q.apiKeys.getApiKeyById({ id: "k2" })).toBeUndefined();
      expect(await q.auth.readCallersVersion()).toBe("2");
    });
  });

  describe("callers", () => {
    beforeEach(async () => {
      await q.teams.insertTeam(team("t1", { rpmLimit: 10, tpmLimit: 1000, monthlyBudgetMicros: 9, allowedModels: ["m1"], responseCache: { mode: "all", ttlSeconds: 5 } }));
      await q.apiKeys.insertApiKey(key("live", "t1", { rpmLimit: 3 }));
      await q.apiKeys.insertApiKey(key("expiring", "t1", { expiresAt: 1_000 }));
      await q.apiKeys.insertApiKey(key("revoked", "t1", { expiresAt: 500 }));
      await q.apiKeys.revokeApiKey({ id: "revoked", now: 200 });
    });

    it("a live key's hash gives the key and its team's limits", async () => {
      expect(await q.auth.getCallerByKeyHash({ hash: "hash-live", now: 5_000 })).toEqual({
        keyId: "live", keyRpmLimit: 3, keyExpiresAt: null,
        team: { id: "t1", name: "t1", rpmLimit: 10, tpmLimit: 1000, dailyBudgetMicros: null, monthlyBudgetMicros: 9, alertThresholdPct: 80, allowedModels: ["m1"], responseCache: { mode: "all", ttlSeconds: 5 } },
      });
      expect(await q.auth.getTeamLimits({ teamId: "t1" })).toMatchObject({ id: "t1", rpmLimit: 10 });
      expect(await q.auth.getTeamLimits({ teamId: "nope" })).toBeUndefined();
    });

    it("a key is live until its expiry instant, and an expired one says when", async () => {
      expect(await q.auth.getCallerByKeyHash({ hash: "hash-expiring", now: 999 })).toMatchObject({ keyId: "expiring", keyExpiresAt: 1_000 });
      expect(await q.auth.getCallerByKeyHash({ hash: "hash-expiring", now: 1_000 })).toBeUndefined();
      expect(await q.auth.getExpiryOfRefusedKey({ hash: "hash-expiring", now: 1_000 })).toEqual({ expiredAt: 1_000, rotated: false });
      expect(await q.auth.getExpiryOfRefusedKey({ hash: "hash-expiring", now: 999 })).toBeUndefined();
    });

    it("revoked and unknown keys are refused with no expiry", async () => {
      expect(await q.auth.getCallerByKeyHash({ hash: "hash-revoked", now: 300 })).toBeUndefined();
      expect(await q.auth.getExpiryOfRefusedKey({ hash: "hash-revoked", now: 600 })).toBeUndefined();
      expect(await q.auth.getCallerByKeyHash({ hash: "nope", now: 300 })).toBeUndefined();
      expect(await q.auth.getExpiryOfRefusedKey({ hash: "nope", now: 300 })).toBeUndefined();
    });

    it("a rotated key past its grace says it was rotated", async () => {
      await q.apiKeys.rotateApiKey({ id: "live", replacement: key("next", "t1"), oldExpiresAt: 2_000, now: 1_500 });
      expect(await q.auth.getCallerByKeyHash({ hash: "hash-live", now: 1_999 })).toMatchObject({ keyId: "live" });
      expect(await q.auth.getExpiryOfRefusedKey({ hash: "hash-live", now: 2_000 })).toEqual({ expiredAt: 2_000, rotated: true });
      expect(await q.auth.getCallerByKeyHash({ hash: "hash-next", now: 2_000 })).toMatchObject({ keyId: "next" });
    });
  });

  describe("models", () => {
    beforeEach(async () => {
      await q.providers.insertProvider(provider("p1"));
    });

    it("read back with their defaults and JSON, listed by creation then id", async () => {
      expect(await q.models.insertModel(model("m2", { createdAt: 200 }))).toEqual({
        id: "m2", name: "m2", providerId: "p1", upstreamModel: "up-m2", inputMicrosPerMTok: 1_000_000, outputMicrosPerMTok: 2_000_000,
        maxOutputTokens: null, maxTokensField: "both", rpmLimit: null, tpmLimit: null, fallbacks: [], endpoints: ["chat"], simulator: null,
        createdAt: 200, updatedAt: 100,
      });
      await q.models.insertModel(model("m1", { createdAt: 200, fallbacks: ["m2"], endpoints: ["chat", "embeddings"], simulator: { ttftMs: 5, errorRate: 0.25 } }));
      await q.models.insertModel(model("m3", { createdAt: 50 }));
      expect((await q.models.listModels()).map((m) => m.id)).toEqual(["m3", "m1", "m2"]);
      expect(await q.models.getModelByName({ name: "m1" })).toMatchObject({ fallbacks: ["m2"], endpoints: ["chat", "embeddings"], simulator: { ttftMs: 5, errorRate: 0.25 } });
      expect(await q.models.getModelById({ id: "nope" })).toBeUndefined();
      expect((await q.models.listExistingModelNames({ names: ["m1", "x", "m3"] })).sort()).toEqual(["m1", "m3"]);
      expect(await q.models.listExistingModelNames({ names: [] })).toEqual([]);
      expect(await failureOf(() => q.models.insertModel(model("m4", { name: "m1" })))).toMatch(/unique/i);
    });

    it("a rename is carried into other models' fallbacks and teams' allow-lists", async () => {
      await q.models.insertModel(model("m1"));
      await q.models.insertModel(model("m2", { fallbacks: ["m1", "m3"] }));
      await q.models.insertModel(model("m3", { fallbacks: ["m2"] }));
      await q.teams.insertTeam(team("t1", { allowedModels: ["m3", "m1"] }));
      await q.teams.insertTeam(team("t2", { allowedModels: null }));
      await q.teams.insertTeam(team("t3", { allowedModels: ["m2"] }));

      const renamed = await q.models.updateModel({ id: "m1", patch: { name: "m1-new", rpmLimit: 7 }, now: 900 });
      expect(renamed).toMatchObject({ id: "m1", name: "m1-new", rpmLimit: 7, updatedAt: 900 });
      expect(await q.models.getModelById({ id: "m2" })).toMatchObject({ fallbacks: ["m1-new", "m3"], updatedAt: 900 });
      expect(await q.models.getModelById({ id: "m3" })).toMatchObject({ fallbacks: ["m2"], updatedAt: 100 });
      expect(await q.teams.getTeamById({ id: "t1" })).toMatchObject({ allowedModels: ["m3", "m1-new"], updatedAt: 900 });
      expect(await q.teams.getTeamById({ id: "t2" })).toMatchObject({ allowedModels: null, updatedAt: 100 });
      expect(await q.teams.getTeamById({ id: "t3" })).toMatchObject({ allowedModels: ["m2"], updatedAt: 100 });
      expect(await q.models.updateModel({ id: "nope", patch: { name: "x" }, now: 900 })).toBeUndefined();
    });

    it("a rename to a taken name fails and rewrites nothing", async () => {
      await q.models.insertModel(model("m1"));
      await q.models.insertModel(model("m2", { fallbacks: ["m1"] }));
      await q.teams.insertTeam(team("t1", { allowedModels: ["m1"] }));
      expect(await failureOf(() => q.models.updateModel({ id: "m1", patch: { name: "m2" }, now: 900 }))).toMatch(/unique/i);
      expect(await q.models.getModelById({ id: "m1" })).toMatchObject({ name: "m1", updatedAt: 100 });
      expect(await q.models.getModelById({ id: "m2" })).toMatchObject({ fallbacks: ["m1"] });
      expect(await q.teams.getTeamById({ id: "t1" })).toMatchObject({ allowedModels: ["m1"] });
    });

    it("a deleted model leaves fallbacks and allow-lists; an emptied list stays empty", async () => {
      await q.models.insertModel(model("m1"));
      await q.models.insertModel(model("m2", { fallbacks: ["m1", "m3"] }));
      await q.models.insertModel(model("m3"));
      await q.teams.insertTeam(team("t1", { allowedModels: ["m1"] }));
      expect(await q.models.deleteModel({ id: "m1", now: 900 })).toBe(true);
      expect(await q.models.getModelById({ id: "m1" })).toBeUndefined();
      expect(await q.models.getModelById({ id: "m2" })).toMatchObject({ fallbacks: ["m3"], updatedAt: 900 });
      expect(await q.teams.getTeamById({ id: "t1" })).toMatchObject({ allowedModels: [], updatedAt: 900 });
      expect(await q.models.deleteModel({ id: "m1", now: 900 })).toBe(false);
    });
  });

  describe("routes", () => {
    it("are created with their audit event, listed by name and read back exactly", async () => {
      const created = await q.routes.insertRouteWithEvent(route("rb"), event({ subjectId: "rb", data: { by: "admin" } }));
      expect(created).toEqual({
        id: "rb", name: "rb", seed: "seed-rb", status: "running", controlModel: "m1", candidateModel: "m2", candidateWeight: 12.3,
        stages: [5, 25, 50, 100], stageIndex: 0, stageStartedAt: 1_000, stickyBy: "auto", guardrails: { maxErrorRate: 0.05, maxP95LatencyMs: null },
        evalIntervalSeconds: 30, minStageSeconds: 600, autoAdvance: true, lastEvaluatedAt: null, lastDecision: null, createdAt: 100, updatedAt: 100,
      });
      await q.routes.insertRouteWithEvent(route("ra", { candidateModel: null, autoAdvance: false }), event({ subjectId: "ra" }));
      expect((await q.routes.listRoutes()).map((r) => r.id)).toEqual(["ra", "rb"]);
      expect(await q.routes.getRouteByName({ name: "ra" })).toMatchObject({ candidateModel: null, autoAdvance: false });
      expect(await q.routes.getRouteById({ id: "nope" })).toBeUndefined();
      expect((await q.events.listEvents({ subjectType: "route", limit: 10 })).map((e) => [e.subjectId, e.data])).toEqual([["ra", {}], ["rb", { by: "admin" }]]);
    });

    it("a route with a taken name is refused and its event is not written", async () => {
      await q.routes.insertRouteWithEvent(route("r1"), event());
      expect(await failureOf(() => q.routes.insertRouteWithEvent(route("r2", { name: "r1" }), event({ subjectId: "r2" })))).toMatch(/unique/i);
      expect(await q.events.listEvents({ subjectId: "r2", limit: 10 })).toEqual([]);
    });

    it("a change applies with its event only while the route is where it was judged", async () => {
      await q.routes.insertRouteWithEvent(route("r1"), event());
      const advance = { stageIndex: 1, candidateWeight: 25, stageStartedAt: 2_000, lastDecision: { action: "advance", at: 2_000 } };
      const applied = await q.routes.updateRouteWithEvent({ id: "r1", expect: { stageIndex: 0, status: "running" }, patch: advance, event: event({ type: "route.advanced" }) });
      expect(applied).toMatchObject({ stageIndex: 1, candidateWeight: 25, lastDecision: { action: "advance", at: 2_000 } });
      // The same decision again: the route has moved on, so nothing changes and nothing is logged.
      expect(await q.routes.updateRouteWithEvent({ id: "r1", expect: { stageIndex: 0, status: "running" }, patch: { candidateWeight: 99 }, event: event({ type: "route.advanced" }) })).toBeUndefined();
      expect(await q.routes.updateRouteWithEvent({ id: "r1", expect: { stageIndex: 1, status: "paused" }, patch: { candidateWeight: 99 }, event: event({ type: "route.advanced" }) })).toBeUndefined();
      expect((await q.routes.getRouteById({ id: "r1" }))?.candidateWeight).toBe(25);
      expect(await q.events.listEvents({ type: "route.advanced", limit: 10 })).toHaveLength(1);

      expect(await q.routes.updateRouteWithEvent({ id: "r1", patch: { status: "paused" }, event: null })).toMatchObject({ status: "paused" });
      expect(await q.routes.updateRouteWithEvent({ id: "nope", patch: { status: "paused" }, event: event({ type: "route.paused" }) })).toBeUndefined();
      expect(await q.events.listEvents({ subjectType: "route", limit: 10 })).toHaveLength(2);
    });

    it("a deletion writes its event only when there was a route", async () => {
      await q.routes.insertRouteWithEvent(route("r1"), event());
      expect(await q.routes.deleteRouteWithEvent({ id: "r1", event: event({ type: "route.deleted" }) })).toBe(true);
      expect(await q.routes.deleteRouteWithEvent({ id: "r1", event: event({ type: "route.deleted" }) })).toBe(false);
      expect(await q.routes.getRouteById({ id: "r1" })).toBeUndefined();
      expect(await q.events.listEvents({ type: "route.deleted", limit: 10 })).toHaveLength(1);
    });

    it("usage windows: since an instant, after a read position, and in a range", async () => {
      await dialect.addUsage([
        usageRow("r1", 900),
        usageRow("r1", 1_000, { variant: "candidate", status: "error", httpStatus: 502, errorType: "upstream_error", ttftMs: null, fallbackUsed: true, costMicros: 5_000_000_000 }),
        usageRow("r2", 1_100),
        usageRow("r1", 1_200, { latencyMs: 90 }),
      ]);
      const since = await q.routes.listRouteUsageSince({ routeId: "r1", since: 1_000 });
      expect(since.sort((a, b) => a.latencyMs - b.latencyMs)).toEqual([
        { variant: "candidate", status: "error", httpStatus: 502, errorType: "upstream_error", fallbackUsed: true, latencyMs: 40, ttftMs: null, costMicros: 5_000_000_000 },
        { variant: "control", status: "ok", httpStatus: 200, errorType: null, fallbackUsed: false, latencyMs: 90, ttftMs: 10, costMicros: 7 },
      ]);

      const first = await q.routes.readRouteUsageAfter({ routeId: "r1", since: 1_000, afterId: 0 });
      expect(first.rows.map((r) => [r.id, r.variant, r.fallbackUsed])).toEqual([[2, "candidate", true], [4, "control", false]]);
      expect(first.lastId).toBe(4);
      // Another route's rows move the read position on while this one is quiet.
      await dialect.addUsage([usageRow("r2", 1_300), usageRow("r2", 1_301)]);
      const quiet = await q.routes.readRouteUsageAfter({ routeId: "r1", since: 1_000, afterId: first.lastId });
      expect(quiet).toEqual({ rows: [], lastId: 6 });
      await dialect.addUsage([usageRow("r1", 1_400, { latencyMs: 77 }), usageRow("r1", 950)]);
      const next = await q.routes.readRouteUsageAfter({ routeId: "r1", since: 1_000, afterId: quiet.lastId });
      expect(next.rows.map((r) => [r.id, r.latencyMs])).toEqual([[7, 77]]);
      expect(next.lastId).toBe(8);

      const between = await q.routes.listRouteUsageBetween({ routeId: "r1", from: 900, to: 1_200 });
      expect(between.map((r) => r.createdAt).sort((a, b) => a - b)).toEqual([900, 950, 1_000]);
    });
  });

  describe("events and notifications", () => {
    beforeEach(async () => {
      await dialect.addUser({ id: "u1", email: "u1@example.com", name: "U1" });
    });

    it("events come newest first, narrowed by subject or type and paged by id", async () => {
      const first = await q.events.insertEvent(event({ type: "budget.alert", subjectType: "team", subjectId: "t1" }));
      expect(first).toEqual({ id: 1, createdAt: 100, type: "budget.alert", subjectType: "team", subjectId: "t1", actor: "system", data: {} });
      await q.events.insertEvent(event({ type: "breaker.opened", subjectType: "model", subjectId: "m1", data: { failures: 5 } }));
      await q.events.insertEvent(event({ type: "budget.alert", subjectType: "team", subjectId: "t2" }));
      await q.events.insertEvent(event({ type: "budget.alert", subjectType: "team", subjectId: "t1" }));
      expect((await q.events.listEvents({ limit: 10 })).map((e) => e.id)).toEqual([4, 3, 2, 1]);
      expect((await q.events.listEvents({ subjectType: "team", subjectId: "t1", limit: 10 })).map((e) => e.id)).toEqual([4, 1]);
      expect((await q.events.listEvents({ type: "budget.alert", before: 4, limit: 1 })).map((e) => e.id)).toEqual([3]);
      expect((await q.events.listEvents({ type: "breaker.opened", limit: 10 }))[0]?.data).toEqual({ failures: 5 });
    });

    it("a person's notifications are counted after their read mark, which only moves forward", async () => {
      const types = ["budget.alert", "route.rolled_back"] as const;
      expect(await q.notifications.latestEventIdOfTypes({ types })).toBe(0);
      for (const type of ["budget.alert", "breaker.opened", "route.rolled_back", "budget.alert"]) await q.events.insertEvent(event({ type }));
      expect((await q.notifications.listEventsOfTypes({ types, limit: 10 })).map((e) => e.id)).toEqual([4, 3, 1]);
      expect((await q.notifications.listEventsOfTypes({ types, before: 4, limit: 1 })).map((e) => e.id)).toEqual([3]);
      expect(await q.notifications.latestEventIdOfTypes({ types })).toBe(4);
      expect(await q.notifications.getLastReadEventId({ userId: "u1" })).toBe(0);
      expect(await q.notifications.countEventsOfTypesAfter({ types, afterId: 0 })).toBe(3);

      expect(await q.notifications.markEventsReadUpTo({ userId: "u1", eventId: 3, now: 500 })).toBe(3);
      expect(await q.notifications.countEventsOfTypesAfter({ types, afterId: 3 })).toBe(1);
      // A tab that loaded earlier marks an older event: the mark stays where it was.
      expect(await q.notifications.markEventsReadUpTo({ userId: "u1", eventId: 1, now: 600 })).toBe(3);
      expect(await q.notifications.markEventsReadUpTo({ userId: "u1", eventId: 4, now: 700 })).toBe(4);
      expect(await q.notifications.getLastReadEventId({ userId: "u1" })).toBe(4);
      expect(await failureOf(() => q.notifications.markEventsReadUpTo({ userId: "nobody", eventId: 4, now: 700 }))).toMatch(/foreign key/i);
    });
  });

  describe("users and team memberships", () => {
    beforeEach(async () => {
      await dialect.addUser({ id: "u2", email: "bea@example.com", name: "Bea" });
      await dialect.addUser({ id: "u1", email: "abe@example.com", name: "Abe" });
      for (const id of ["tc", "ta", "tb"]) await q.teams.insertTeam(team(id, { name: `team ${id}` }));
    });

    it("are counted, listed by email, found by id or any-case email, updated and deleted", async () => {
      expect(await q.users.countUsers()).toBe(2);
      expect((await q.users.listUsers()).map((u) => u.id)).toEqual(["u1", "u2"]);
      expect(await q.users.getUserByEmail({ email: "ABE@Example.com" })).toMatchObject({ id: "u1", role: "member", emailVerified: false, currentTeamId: null });
      const user = await q.users.getUserById({ id: "u2" });
      expect(user?.createdAt).toEqual(new Date(1_000));

      const updated = await q.users.updateUser({ id: "u2", patch: { role: "admin", name: "Bea B", currentTeamId: "ta" } });
      expect(updated).toMatchObject({ id: "u2", role: "admin", name: "Bea B", currentTeamId: "ta" });
      expect(updated.updatedAt.getTime()).toBeGreaterThan(1_000);
      expect(await q.users.updateUser({ id: "nope", patch: { role: "admin" } })).toBeUndefined();

      expect(await q.users.deleteUser({ id: "u2" })).toBe(true);
      expect(await q.users.deleteUser({ id: "u2" })).toBe(false);
      expect(await q.users.getUserById({ id: "u2" })).toBeUndefined();
    });

    it("memberships are replaced whole; the current team stays only while a member", async () => {
      await q.users.setTeamsOfUser({ userId: "u1", teamIds: ["tc", "ta"], now: 100 });
      expect(await q.users.listTeamsOfUser({ userId: "u1" })).toEqual([{ id: "ta", name: "team ta" }, { id: "tc", name: "team tc" }]);
      expect((await q.users.getUserById({ id: "u1" }))?.currentTeamId).toBe("tc");
      expect(await q.users.isTeamMember({ userId: "u1", teamId: "ta" })).toBe(true);
      expect(await q.users.isTeamMember({ userId: "u1", teamId: "tb" })).toBe(false);

      await q.users.updateUser({ id: "u1", patch: { currentTeamId: "ta" } });
      await q.users.setTeamsOfUser({ userId: "u1", teamIds: ["tb", "ta"], now: 200 });
      expect((await q.users.getUserById({ id: "u1" }))?.currentTeamId).toBe("ta");
      await q.users.setTeamsOfUser({ userId: "u1", teamIds: ["tb"], now: 300 });
      expect((await q.users.getUserById({ id: "u1" }))?.currentTeamId).toBe("tb");
      await q.users.setTeamsOfUser({ userId: "u1", teamIds: [], now: 400 });
      expect(await q.users.listTeamsOfUser({ userId: "u1" })).toEqual([]);
      expect((await q.users.getUserById({ id: "u1" }))?.currentTeamId).toBeNull();
    });

    it("a replacement naming a team that does not exist changes nothing", async () => {
      await q.users.setTeamsOfUser({ userId: "u1", teamIds: ["ta"], now: 100 });
      expect(await failureOf(() => q.users.setTeamsOfUser({ userId: "u1", teamIds: ["tb", "ghost"], now: 200 }))).toMatch(/foreign key/i);
      expect(await q.users.listTeamsOfUser({ userId: "u1" })).toEqual([{ id: "ta", name: "team ta" }]);
      expect((await q.users.getUserById({ id: "u1" }))?.currentTeamId).toBe("ta");
      expect((await q.users.listExistingTeamIds({ ids: ["tb", "ghost", "ta"] })).sort()).toEqual(["ta", "tb"]);
      expect(await q.users.listExistingTeamIds({ ids: [] })).toEqual([]);
    });

    it("a deleted team leaves its members' lists", async () => {
      await q.users.setTeamsOfUser({ userId: "u1", teamIds: ["ta", "tb"], now: 100 });
      await q.teams.deleteTeam({ id: "ta", now: 200 });
      expect(await q.users.listTeamsOfUser({ userId: "u1" })).toEqual([{ id: "tb", name: "team tb" }]);
    });
  });

  describe("conversations", () => {
    const conversation = (id: string, userId: string, title: string, updatedAt: number) => ({ id, userId, title, model: "m1", createdAt: 100, updatedAt });
    const text = (t: string) => ({ type: "text", text: t });

    beforeEach(async () => {
      await dialect.addUser({ id: "u1", email: "u1@example.com", name: "U1" });
      await dialect.addUser({ id: "u2", email: "u2@example.com", name: "U2" });
    });

    it("belong to their owner only: listed newest first, read, updated and deleted by them alone", async () => {
      expect(await q.conversations.insertConversation(conversation("c1", "u1", "First", 100))).toEqual({
        id: "c1", userId: "u1", teamId: null, title: "First", model: "m1", systemPrompt: null, temperature: null, createdAt: 100, updatedAt: 100,
      });
      await q.conversations.insertConversation(conversation("c2", "u1", "Second", 300));
      await q.conversations.insertConversation(conversation("c3", "u2", "Theirs", 200));
      expect((await q.conversations.listConversationsOfUser({ userId: "u1" })).map((c) => c.id)).toEqual(["c2", "c1"]);
      expect(await q.conversations.getConversationOfUser({ id: "c3", userId: "u1" })).toBeUndefined();

      const patch = { title: "Renamed", systemPrompt: "Be brief.", temperature: 0.7, teamId: "t1", updatedAt: 400 };
      expect(await q.conversations.updateConversation({ id: "c1", userId: "u1", patch })).toMatchObject(patch);
      expect(await q.conversations.updateConversation({ id: "c3", userId: "u1", patch })).toBeUndefined();
      expect((await q.conversations.getConversationOfUser({ id: "c3", userId: "u2" }))?.title).toBe("Theirs");

      expect(await q.conversations.deleteConversation({ id: "c3", userId: "u1" })).toBe(false);
      expect(await q.conversations.deleteConversation({ id: "c1", userId: "u1" })).toBe(true);
      expect(await q.conversations.getConversationOfUser({ id: "c1", userId: "u1" })).toBeUndefined();
    });

    it("messages are replaced whole, in order, with their parts and metadata as written", async () => {
      await q.conversations.insertConversation(conversation("c1", "u1", "Chat", 100));
      const parts = [{ type: "text", text: "Hi", state: "done", providerMetadata: { z: 1, a: 2 } }];
      await q.conversations.replaceMessages({
        conversationId: "c1",
        rows: [
          { id: "m-b", role: "user", parts, metadata: null },
          { id: "m-a", role: "assistant", parts: [text("Hello")], metadata: { servedModel: "m1", costMicros: 12 } },
        ],
        now: 500,
      });
      const listed = await q.conversations.listMessages({ conversationId: "c1" });
      expect(listed).toEqual([
        { id: "m-b", conversationId: "c1", role: "user", parts, metadata: null, seq: 0, createdAt: 500 },
        { id: "m-a", conversationId: "c1", role: "assistant", parts: [text("Hello")], metadata: { servedModel: "m1", costMicros: 12 }, seq: 1, createdAt: 500 },
      ]);
      // Keys come back in the order they were written.
      expect(Object.keys(listed[0]!.parts[0] as object)).toEqual(["type", "text", "state", "providerMetadata"]);
      expect(Object.keys((listed[0]!.parts[0] as { providerMetadata: object }).providerMetadata)).toEqual(["z", "a"]);
      expect((await q.conversations.getConversationOfUser({ id: "c1", userId: "u1" }))?.updatedAt).toBe(500);

      await q.conversations.replaceMessages({ conversationId: "c1", rows: [{ id: "m-b", role: "user", parts: [text("Hi again")], metadata: null }], now: 600 });
      expect(await q.conversations.countMessages({ conversationId: "c1" })).toBe(1);
      expect(await q.conversations.countMessages({ conversationId: "nope" })).toBe(0);
    });

    it("a replacement that fails keeps the messages there were", async () => {
      await q.conversations.insertConversation(conversation("c1", "u1", "Chat", 100));
      await q.conversations.replaceMessages({ conversationId: "c1", rows: [{ id: "m1", role: "user", parts: [text("kept")], metadata: null }], now: 200 });
      const twice = { id: "dup", role: "user" as const, parts: [text("x")], metadata: null };
      expect(await failureOf(() => q.conversations.replaceMessages({ conversationId: "c1", rows: [twice, twice], now: 300 }))).toMatch(/unique|duplicate/i);
      expect((await q.conversations.listMessages({ conversationId: "c1" })).map((m) => m.parts)).toEqual([[text("kept")]]);
      expect((await q.conversations.getConversationOfUser({ id: "c1", userId: "u1" }))?.updatedAt).toBe(200);
    });

    it("deleting a conversation deletes its messages", async () => {
      await q.conversations.insertConversation(conversation("c1", "u1", "Chat", 100));
      await q.conversations.replaceMessages({ conversationId: "c1", rows: [{ id: "m1", role: "user", parts: [text("x")], metadata: null }], now: 200 });
      await q.conversations.deleteConversation({ id: "c1", userId: "u1" });
      expect(await q.conversations.countMessages({ conversationId: "c1" })).toBe(0);
    });

    it("search finds titles and message text, ASCII letters in either case, newest first, the user's own only", async () => {
      const add = async (id: string, userId: string, title: string, updatedAt: number, parts: unknown[]) => {
        await q.conversations.insertConversation(conversation(id, userId, title, updatedAt));
        await q.conversations.replaceMessages({ conversationId: id, rows: [{ id: "m", role: "user", parts, metadata: null }], now: updatedAt });
      };
      await add("title", "u1", "Paris TRIP plans", 100, [text("nothing")]);
      await add("body", "u1", "Untitled", 300, [{ type: "reasoning", text: "trip in reasoning" }, text("A long Trip to Rome")]);
      await add("tool", "u1", "Tools", 400, [{ type: "tool-weather", input: { city: "trip" } }, { type: "text", text: "done" }]);
      await add("other", "u2", "My trip", 500, [text("trip")]);
      await add("symbols", "u1", "100% sure_thing", 200, [text("Crème brûlée, ÉCOLE")]);

      const ids = async (t: string) => (await q.conversations.searchConversationsOfUser({ userId: "u1", text: t })).map((c) => c.id);
      expect(await ids("trip")).toEqual(["body", "title"]);
      expect(await ids("TRIP")).toEqual(["body", "title"]);
      // Not the JSON around the text, nor other parts' fields.
      expect(await ids("type")).toEqual([]);
      expect(await ids("weather")).toEqual([]);
      expect(await ids("reasoning")).toEqual([]);
      // % and _ match only themselves.
      expect(await ids("0% s")).toEqual(["symbols"]);
      expect(await ids("%")).toEqual(["symbols"]);
      expect(await ids("e_t")).toEqual(["symbols"]);
      expect(await ids("r_me")).toEqual([]);
      // Letters beyond ASCII match only in their own case, as SQLite's LIKE has it.
      expect(await ids("crème")).toEqual(["symbols"]);
      expect(await ids("CRÈME")).toEqual([]);
      expect(await ids("école")).toEqual([]);
      expect(await ids("École")).toEqual(["symbols"]);
    });
  });

  describe("catalog", () => {
    it("every provider, model and route", async () => {
      await q.providers.insertProvider(provider("p1"));
      await q.providers.insertProvider(provider("p2"));
      await q.models.insertModel(model("m1"));
      await q.routes.insertRouteWithEvent(route("r1"), event());
      const catalog = await q.catalog.listProvidersAndModels();
      expect(catalog.providers.map((p) => p.id).sort()).toEqual(["p1", "p2"]);
      expect(catalog.models).toEqual([await q.models.getModelById({ id: "m1" })]);
      expect(catalog.routes).toEqual([await q.routes.getRouteById({ id: "r1" })]);
    });
  });
});
