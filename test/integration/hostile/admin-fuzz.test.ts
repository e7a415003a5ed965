/**
 * Hostile input at the admin API: generated malformed bodies for every create and update answer a
 * 4xx in OpenAI's error shape, never a 5xx, and leave the database exactly as it was. Seeded, so a
 * failure replays; FUZZ_SEED and FUZZ_RUNS override.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type TestServer } from "../../helpers/server";
import { must } from "../faults/helpers";
import { expectAlive, expectOpenAiError, oddString, post, wrongType, type Answer } from "./helpers";

const SEED = Number(process.env.FUZZ_SEED) || 20_261_122;
const RUNS = Number(process.env.FUZZ_RUNS) || 150;
const TABLES = ["providers", "models", "teams", "api_keys", "routes", "users", "accounts", "team_members", "events", "settings", "usage"];

let server: TestServer;
let ids: { provider: string; model: string; team: string; route: string; user: string };
let serial = 0;

beforeAll(async () => {
  server = await startServer();
  const provider = await must(await server.admin("/api/admin/providers", { method: "POST", json: { name: "base-provider", kind: "simulator" } }));
  const model = await must(
    await server.admin("/api/admin/models", { method: "POST", json: { name: "base-model", providerId: provider.id, upstreamModel: "m", inputPricePerMTok: 1, outputPricePerMTok: 2 } }),
  );
  const team = await must(await server.admin("/api/admin/teams", { method: "POST", json: { name: "base-team" } }));
  // No candidate: the rollout loop then never touches the row, so the table stays still between requests.
  const route = await must(await server.admin("/api/admin/routes", { method: "POST", json: { name: "base-route", control: "base-model" } }));
  const user = await must(await server.admin("/api/admin/users", { method: "POST", json: { email: "base@fuzz.test", name: "Base", password: "password-123" } }));
  ids = { provider: provider.id, model: model.id, team: team.id, route: route.id, user: user.id };
});

afterAll(async () => {
  await server?.stop();
});

/** Every row of every table the admin API can write, to compare before and after a refused call. */
function snapshot(): string {
  const db = server.db();
  return JSON.stringify(TABLES.map((t) => db.prepare(`select * from ${t} order by rowid`).all()));
}

/** A refused call: 4xx, OpenAI shape, nothing written. A 2xx is allowed only when `mayPass`. */
async function expectRefused(call: () => Promise<Answer>, mayPass = false): Promise<Answer> {
  const before = snapshot();
  const r = await call();
  expect(r.status, r.text.slice(0, 300)).toBeLessThan(500);
  if (mayPass && r.status < 300) return r;
  expect(r.status, r.text.slice(0, 300)).toBeGreaterThanOrEqual(400);
  expectOpenAiError(r);
  expect(snapshot(), `a refused call wrote to the database: ${r.text.slice(0, 200)}`).toBe(before);
  return r;
}

const run = <T>(prop: fc.IAsyncProperty<T>, runs = RUNS) => fc.assert(prop, { numRuns: runs, seed: SEED });
const unique = (prefix: string) => `${prefix}-${++serial}`;

// Values each kind of field must refuse.
const notNull = (a: fc.Arbitrary<unknown>) => a.filter((v) => v !== null);
const badName = fc.oneof(wrongType("string"), fc.constantFrom("", "   ", "\t\n"), fc.integer({ min: 129, max: 2000 }).map((n) => "n".repeat(n)));
const badModelName = fc.oneof(badName, fc.constantFrom("has space", "tab\there", "new\nline"));
const badLimit = notNull(fc.oneof(fc.integer({ max: 0 }), fc.integer({ min: 1_000_000_001 }), fc.double({ min: 1.01, max: 1e6, noNaN: true }).filter((n) => !Number.isInteger(n)), wrongType("number")));
const badUsd = notNull(fc.oneof(fc.double({ max: -1e-9, noNaN: true, noDefaultInfinity: true }), fc.double({ min: 1e9 + 1, noNaN: true, noDefaultInfinity: true }), wrongType("number")));
const badInt = (min: number, max: number) =>
  notNull(fc.oneof(fc.integer({ max: min - 1 }), fc.integer({ min: max + 1 }), fc.double({ min, max, noNaN: true }).filter((n) => !Number.isInteger(n)), wrongType("number")));
const badEnum = (values: string[]) => notNull(fc.oneof(fc.string({ maxLength: 20 }).filter((s) => !values.includes(s)), wrongType("string")));
const badBool = notNull(wrongType("boolean"));
const badStrictObject = fc.oneof(notNull(wrongType("object")), fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }).map((k) => `zz_${k}`), fc.jsonValue({ maxDepth: 1 }), { minKeys: 1, maxKeys: 2 }));

interface Endpoint {
  label: string;
  method: "POST" | "PATCH";
  path: () => string;
  /** A body the endpoint accepts; each bad field replaces one of its fields. */
  valid: () => Record<string, unknown>;
  bad: Record<string, fc.Arbitrary<unknown>>;
}

const providerBad = {
  name: badName,
  kind: badEnum(["openai-compatible", "simulator"]),
  baseUrl: notNull(fc.oneof(fc.constantFrom("not a url", "ftp://x.test", "javascript:alert(1)", "http://", "//x"), wrongType("string").filter((v) => v !== null))),
  apiKey: fc.oneof(notNull(wrongType("string")), fc.constant(""), fc.constant("k".repeat(4097))),
  settings: fc.oneof(badStrictObject, fc.record({ maxAttempts: badInt(1, 10) }), fc.record({ totalTimeoutMs: badInt(1, 3_600_000) })),
};
const modelBad = {
  name: badModelName,
  providerId: fc.oneof(notNull(wrongType("string")), fc.constant(""), fc.string({ minLength: 1, maxLength: 20 }).map((s) => `nope_${s}`)),
  upstreamModel: fc.oneof(notNull(wrongType("string")), fc.constantFrom("", "   "), fc.constant("u".repeat(257))),
  inputPricePerMTok: notNull(fc.oneof(fc.double({ max: -1e-9, noNaN: true, noDefaultInfinity: true }), fc.double({ min: 1_000_001, noNaN: true, noDefaultInfinity: true }), wrongType("number"))),
  outputPricePerMTok: notNull(fc.oneof(fc.double({ max: -1e-9, noNaN: true, noDefaultInfinity: true }), wrongType("number"))),
  maxOutputTokens: badInt(1, 10_000_000),
  rpmLimit: badLimit,
  tpmLimit: badLimit,
  fallbacks: fc.oneof(notNull(wrongType("array")), fc.array(badModelName, { minLength: 1, maxLength: 3 }), fc.constant(["no-such-model"]), fc.constant(Array.from({ length: 11 }, (_, i) => `m${i}`))),
  simulator: fc.oneof(badStrictObject, fc.record({ errorRate: notNull(fc.oneof(fc.double({ min: 1.01, max: 10, noNaN: true }), wrongType("number"))) }), fc.record({ ttftMs: fc.constantFrom(-1, 600_001, "1") })),
};
const teamBad = {
  name: badName,
  rpmLimit: badLimit,
  tpmLimit: badLimit,
  dailyBudgetUsd: badUsd,
  monthlyBudgetUsd: badUsd,
  alertThresholdPct: badInt(1, 100),
  allowedModels: fc.oneof(notNull(wrongType("array")), fc.array(fc.oneof(notNull(wrongType("string")), fc.constant("")), { minLength: 1, maxLength: 3 })),
};
const routeBad = {
  name: badModelName,
  control: fc.oneof(notNull(wrongType("string")), fc.constant(""), fc.constant("no-such-model")),
  candidate: fc.oneof(notNull(wrongType("string")), fc.constant(""), fc.constant("no-such-model"), fc.constant("base-model")),
  candidateWeight: notNull(fc.oneof(fc.double({ max: -1e-9, noNaN: true, noDefaultInfinity: true }), fc.double({ min: 100.0001, noNaN: true, noDefaultInfinity: true }), wrongType("number"))),
  stages: fc.oneof(notNull(wrongType("array")), fc.constant([]), fc.constant([50, 25]), fc.constant([0, 50]), fc.constant([50, 101]), fc.constant([10, 10]), fc.constant(Array.from({ length: 21 }, (_, i) => i + 1))),
  stickyBy: badEnum(["auto", "conversation", "user", "key", "request"]),
  guardrails: fc.oneof(badStrictObject, fc.record({ maxErrorRate: fc.constantFrom(-0.1, 1.5, "x", null) }), fc.record({ minSamples: fc.constantFrom(0, 1.5, 10_000_001) })),
  evalIntervalSeconds: badInt(1, 86_400),
  minStageSeconds: badInt(0, 30 * 86_400),
  autoAdvance: badBool,
};
const userBad = {
  email: fc.oneof(notNull(wrongType("string")), fc.constantFrom("", "no-at-sign", "a@", "@b.c", "a b@c.d", `${"e".repeat(250)}@x.io`)),
  name: fc.oneof(notNull(wrongType("string")), fc.constantFrom("", "  "), fc.constant("n".repeat(129))),
  password: fc.oneof(notNull(wrongType("string")), fc.string({ maxLength: 7 }), fc.constant("p".repeat(257))),
  role: badEnum(["admin", "member"]),
  teamIds: fc.oneof(notNull(wrongType("array")), fc.constant(["no-such-team"]), fc.array(fc.oneof(notNull(wrongType("string")), fc.constant("")), { minLength: 1, maxLength: 2 })),
};

const endpoints: Endpoint[] = [
  { label: "POST providers", method: "POST", path: () => "/api/admin/providers", valid: () => ({ name: unique("p"), kind: "simulator" }), bad: providerBad },
  { label: "PATCH providers", method: "PATCH", path: () => `/api/admin/providers/${ids.provider}`, valid: () => ({}), bad: providerBad },
  {
    label: "POST models",
    method: "POST",
    path: () => "/api/admin/models",
    valid: () => ({ name: unique("m"), providerId: ids.provider, upstreamModel: "u", inputPricePerMTok: 1, outputPricePerMTok: 1 }),
    bad: modelBad,
  },
  { label: "PATCH models", method: "PATCH", path: () => `/api/admin/models/${ids.model}`, valid: () => ({}), bad: modelBad },
  { label: "POST teams", method: "POST", path: () => "/api/admin/teams", valid: () => ({ name: unique("t") }), bad: teamBad },
  { label: "PATCH teams", method: "PATCH", path: () => `/api/admin/teams/${ids.team}`, valid: () => ({}), bad: teamBad },
  { label: "POST keys", method: "POST", path: () => `/api/admin/teams/${ids.team}/keys`, valid: () => ({ name: "k" }), bad: { name: badName, rpmLimit: badLimit } },
  { label: "POST routes", method: "POST", path: () => "/api/admin/routes", valid: () => ({ name: unique("r"), control: "base-model" }), bad: routeBad },
  { label: "PATCH routes", method: "PATCH", path: () => `/api/admin/routes/${ids.route}`, valid: () => ({}), bad: routeBad },
  { label: "POST users", method: "POST", path: () => "/api/admin/users", valid: () => ({ email: `${unique("u")}@fuzz.test`, name: "U", password: "password-123" }), bad: userBad },
  {
    label: "PATCH users",
    method: "PATCH",
    path: () => `/api/admin/users/${ids.user}`,
    valid: () => ({}),
    bad: { name: userBad.name, password: userBad.password, role: userBad.role, teamIds: userBad.teamIds },
  },
];

const send = (e: Endpoint, body: BodyInit | null, opts: { contentType?: string | null; auth?: string | null; path?: string } = {}) =>
  post(server, opts.path ?? e.path(), body, { method: e.method, contentType: opts.contentType, auth: opts.auth });

describe.each(endpoints)("$label", (e) => {
  const badField = fc.oneof(...Object.entries(e.bad).map(([field, arb]) => arb.map((value) => ({ field, value }))));

  it("refuses a wrong value in any one field, writing nothing", { timeout: 60_000 }, async () => {
    await run(
      fc.asyncProperty(badField, async ({ field, value }) => {
        const r = await expectRefused(() => send(e, JSON.stringify({ ...e.valid(), [field]: value })));
        expect([400, 404, 409, 422]).toContain(r.status);
      }),
    );
    await expectAlive(server);
  });

  it("refuses unknown fields, random JSON, non-JSON and deep nesting, writing nothing", { timeout: 60_000 }, async () => {
    const garbage = fc.oneof(
      fc.tuple(fc.string({ minLength: 1, maxLength: 12 }), fc.jsonValue({ maxDepth: 2 })).map(([k, v]) => JSON.stringify({ ...e.valid(), [`x_${k}`]: v })),
      // Anything but an object with plausible keys; an object might happen to be a valid update.
      fc.jsonValue({ maxDepth: 3 }).filter((v) => v === null || typeof v !== "object" || Array.isArray(v)).map((v) => JSON.stringify(v)),
      fc.dictionary(oddString.filter((k) => k.length > 0), fc.jsonValue({ maxDepth: 1 }), { minKeys: 1, maxKeys: 3 }).map((v) => JSON.stringify(v)),
      fc.constantFrom("", "{", "nul", "{'name':'x'}", "[1,", '{"name":NaN}', '{"name":"a",}', "\uFEFF{}"),
      fc.integer({ min: 100, max: 50_000 }).map((d) => `{"name":${"[".repeat(d)}${"]".repeat(d)}}`),
    );
    await run(
      fc.asyncProperty(garbage, fc.constantFrom<string | null>("application/json", null, "text/plain"), async (body, ct) => {
        await expectRefused(() => send(e, body, { contentType: ct }));
      }),
    );
    await expectAlive(server);
  });

  it("takes odd Unicode in names without a 5xx, and refuses the admin door without the token", { timeout: 60_000 }, async () => {
    const stringFields = Object.keys(e.bad).filter((f) => ["name", "upstreamModel", "apiKey"].includes(f));
    await run(
      fc.asyncProperty(oddString, async (s) => {
        const body = { ...e.valid(), ...Object.fromEntries(stringFields.map((f) => [f, `${f === "name" ? unique("o") : "v"}${s}`])) };
        // Odd but within the rules may be stored; anything refused must leave no trace.
        await expectRefused(() => send(e, JSON.stringify(body)), true);
        await expectRefused(() => send(e, JSON.stringify(body), { auth: "not-the-admin-token" }));
      }),
      40,
    );
    const unauth = await expectRefused(() => send(e, JSON.stringify(e.valid()), { auth: null }));
    expect(unauth.status).toBe(401);
    await expectAlive(server);
  });
});

describe("admin paths", () => {
  it("answers an unknown or odd id with a 4xx, writing nothing", { timeout: 60_000 }, async () => {
    // "." and ".." would be resolved away by the client before the request is sent.
    const id = fc.string({ minLength: 1, maxLength: 40, unit: "binary" }).filter((s) => {
      if (s === "." || s === "..") return false;
      try {
        encodeURIComponent(s);
        return true;
      } catch {
        return false;
      }
    });
    const kinds = ["providers", "models", "teams", "routes", "users"] as const;
    await run(
      fc.asyncProperty(id, fc.constantFrom(...kinds), async (raw, kind) => {
        const path = `/api/admin/${kind}/${encodeURIComponent(raw)}`;
        const r = await expectRefused(() => post(server, path, JSON.stringify({ name: "x" }), { method: "PATCH" }));
        expect([400, 404]).toContain(r.status);
      }),
      100,
    );
    const oversized = await expectRefused(() => post(server, "/api/admin/teams", JSON.stringify({ name: "big", pad: "x".repeat(1024 * 1024) })));
    expect(oversized.status).toBe(413);
    await expectAlive(server);
  });
});
