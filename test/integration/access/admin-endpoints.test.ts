/**
 * Who may call each admin endpoint: every route file's every method, as each kind of caller. A
 * new endpoint without a row here fails the coverage test, so it cannot ship unchecked.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, type TestServer } from "../../helpers/server";
import { adminJson, call, createPerson, dbSnapshot, expectError, fillRoute, FOREIGN_ORIGIN, routeExports, signIn, startAccessServer } from "./helpers";

interface Target {
  params?: Record<string, string>;
  body?: unknown;
}

interface Row {
  route: string;
  method: "GET" | "POST" | "PATCH" | "DELETE";
  /** For routes/[id]/[action]: which action the row exercises. */
  action?: string;
  /** Called before every request, so one that consumes its target (DELETE, a state change) gets a fresh one. */
  target: () => Promise<Target>;
}

const SIM = { ttftMs: 0, tokensPerSecond: 100_000 };

let server: TestServer;
let adminCookie: string;
let memberCookie: string;
let fixed: { providerId: string; modelId: string; teamId: string; keyId: string; routeId: string; userId: string };
let n = 0;
const unique = (prefix: string) => `${prefix}-${++n}`;

const freshProvider = async () => (await adminJson(server, "/api/admin/providers", { method: "POST", json: { name: unique("acc-provider"), kind: "simulator" } })).id as string;
const freshModel = async () =>
  (
    await adminJson(server, "/api/admin/models", {
      method: "POST",
      json: { name: unique("acc-model"), providerId: fixed.providerId, upstreamModel: "sim", inputPricePerMTok: 1, outputPricePerMTok: 2, simulator: SIM },
    })
  ).id as string;
const freshTeam = async () => (await adminJson(server, "/api/admin/teams", { method: "POST", json: { name: unique("acc-team") } })).id as string;
const freshKey = async () => (await adminJson(server, `/api/admin/teams/${fixed.teamId}/keys`, { method: "POST", json: { name: unique("acc-key") } })).id as string;
const freshUser = async () =>
  (await createPerson(server, { email: `${unique("acc-user")}@access.test`, password: "a-long-password", role: "member" })).id;
async function freshRoute(paused = false): Promise<string> {
  const route = await adminJson(server, "/api/admin/routes", {
    method: "POST",
    json: { name: unique("acc-route"), control: "acc-control", candidate: "acc-candidate", autoAdvance: false, evalIntervalSeconds: 86_400 },
  });
  if (paused) await adminJson(server, `/api/admin/routes/${route.id}/pause`, { method: "POST" });
  return route.id;
}

const ROWS: Row[] = [
  { route: "providers", method: "GET", target: async () => ({}) },
  { route: "providers", method: "POST", target: async () => ({ body: { name: unique("acc-provider"), kind: "simulator" } }) },
  { route: "providers/[id]", method: "GET", target: async () => ({ params: { id: fixed.providerId } }) },
  { route: "providers/[id]", method: "PATCH", target: async () => ({ params: { id: fixed.providerId }, body: { settings: { maxAttempts: 2 } } }) },
  { route: "providers/[id]", method: "DELETE", target: async () => ({ params: { id: await freshProvider() } }) },
  { route: "providers/[id]/test", method: "POST", target: async () => ({ params: { id: fixed.providerId } }) },

  { route: "models", method: "GET", target: async () => ({}) },
  {
    route: "models",
    method: "POST",
    target: async () => ({ body: { name: unique("acc-model"), providerId: fixed.providerId, upstreamModel: "sim", inputPricePerMTok: 1, outputPricePerMTok: 2 } }),
  },
  { route: "models/[id]", method: "GET", target: async () => ({ params: { id: fixed.modelId } }) },
  { route: "models/[id]", method: "PATCH", target: async () => ({ params: { id: fixed.modelId }, body: { outputPricePerMTok: 3 } }) },
  { route: "models/[id]", method: "DELETE", target: async () => ({ params: { id: await freshModel() } }) },

  { route: "teams", method: "GET", target: async () => ({}) },
  { route: "teams", method: "POST", target: async () => ({ body: { name: unique("acc-team") } }) },
  { route: "teams/[id]", method: "GET", target: async () => ({ params: { id: fixed.teamId } }) },
  { route: "teams/[id]", method: "PATCH", target: async () => ({ params: { id: fixed.teamId }, body: { rpmLimit: 600 } }) },
  { route: "teams/[id]", method: "DELETE", target: async () => ({ params: { id: await freshTeam() } }) },
  { route: "teams/[id]/keys", method: "GET", target: async () => ({ params: { id: fixed.teamId } }) },
  { route: "teams/[id]/keys", method: "POST", target: async () => ({ params: { id: fixed.teamId }, body: { name: "ci" } }) },

  { route: "keys/[id]", method: "GET", target: async () => ({ params: { id: fixed.keyId } }) },
  { route: "keys/[id]", method: "DELETE", target: async () => ({ params: { id: await freshKey() } }) },
  { route: "keys/[id]/rotate", method: "POST", target: async () => ({ params: { id: await freshKey() }, body: { graceSeconds: 60 } }) },

  { route: "events", method: "GET", target: async () => ({}) },

  { route: "routes", method: "GET", target: async () => ({}) },
  { route: "routes", method: "POST", target: async () => ({ body: { name: unique("acc-route"), control: "acc-control" } }) },
  { route: "routes/[id]", method: "GET", target: async () => ({ params: { id: fixed.routeId } }) },
  { route: "routes/[id]", method: "PATCH", target: async () => ({ params: { id: fixed.routeId }, body: { minStageSeconds: 120 } }) },
  { route: "routes/[id]", method: "DELETE", target: async () => ({ params: { id: await freshRoute() } }) },
  { route: "routes/[id]/metrics", method: "GET", target: async () => ({ params: { id: fixed.routeId } }) },
  { route: "routes/[id]/[action]", method: "POST", action: "pause", target: async () => ({ params: { id: await freshRoute(), action: "pause" } }) },
  { route: "routes/[id]/[action]", method: "POST", action: "resume", target: async () => ({ params: { id: await freshRoute(true), action: "resume" } }) },
  { route: "routes/[id]/[action]", method: "POST", action: "rollback", target: async () => ({ params: { id: await freshRoute(), action: "rollback" } }) },
  { route: "routes/[id]/[action]", method: "POST", action: "promote", target: async () => ({ params: { id: await freshRoute(), action: "promote" } }) },

  { route: "users", method: "GET", target: async () => ({}) },
  {
    route: "users",
    method: "POST",
    target: async () => ({ body: { email: `${unique("acc-new")}@access.test`, name: "New person", password: "a-long-password", role: "member", teamIds: [fixed.teamId] } }),
  },
  { route: "users/[id]", method: "GET", target: async () => ({ params: { id: fixed.userId } }) },
  { route: "users/[id]", method: "PATCH", target: async () => ({ params: { id: fixed.userId }, body: { name: unique("Renamed") } }) },
  { route: "users/[id]", method: "DELETE", target: async () => ({ params: { id: await freshUser() } }) },
];

const label = (row: Row) => `${row.method} /api/admin/${row.action ? row.route.replace("[action]", row.action) : row.route}`;
const CASES = ROWS.map((row) => [label(row), row] as const);
const WRITE_CASES = CASES.filter(([, row]) => row.method !== "GET");

async function send(row: Row, auth: { cookie?: string; bearer?: string; origin?: string | null }): Promise<Response> {
  const { params = {}, body } = await row.target();
  return call(server, fillRoute("/api/admin", row.route, params), { method: row.method, json: body, ...auth });
}

/** Sends as a caller who must be refused, and checks the refusal left every table as it was. */
async function refused(row: Row, auth: { cookie?: string; bearer?: string; origin?: string | null }, status: number) {
  const { params = {}, body } = await row.target();
  const before = dbSnapshot(server);
  const res = await call(server, fillRoute("/api/admin", row.route, params), { method: row.method, json: body, ...auth });
  const error = await expectError(res, status);
  expect(dbSnapshot(server)).toEqual(before);
  return error;
}

async function expectSuccess(res: Response) {
  const text = await res.text();
  expect(res.status, text.slice(0, 300)).toBeGreaterThanOrEqual(200);
  expect(res.status, text.slice(0, 300)).toBeLessThan(300);
  expect(() => JSON.parse(text)).not.toThrow();
}

beforeAll(async () => {
  server = await startAccessServer();
  const providerId = (await adminJson(server, "/api/admin/providers", { method: "POST", json: { name: "acc-sim", kind: "simulator" } })).id;
  fixed = { providerId } as typeof fixed;
  for (const name of ["acc-control", "acc-candidate"]) {
    await adminJson(server, "/api/admin/models", {
      method: "POST",
      json: { name, providerId, upstreamModel: name, inputPricePerMTok: 1, outputPricePerMTok: 2, simulator: SIM },
    });
  }
  fixed.modelId = await freshModel();
  fixed.teamId = await freshTeam();
  fixed.keyId = await freshKey();
  fixed.routeId = await freshRoute();
  fixed.userId = await freshUser();
  const admin = await createPerson(server, { email: "admin@access.test", password: "admin-password-1", role: "admin" });
  const member = await createPerson(server, { email: "member@access.test", password: "member-password-1", role: "member", teamIds: [fixed.teamId] });
  adminCookie = await signIn(server, admin);
  memberCookie = await signIn(server, member);
});
afterAll(async () => {
  await server?.stop();
});

describe("the table", () => {
  it("covers every method of every admin route file, and every route action", () => {
    const exported = routeExports("admin");
    expect(exported.length).toBeGreaterThan(0);
    const inTable = new Set(ROWS.map((r) => `${r.method} ${r.route}`));
    const inFiles = new Set(exported.map((e) => `${e.method} ${e.route}`));
    expect([...inFiles].filter((k) => !inTable.has(k)), "endpoints without a row").toEqual([]);
    expect([...inTable].filter((k) => !inFiles.has(k)), "rows without an endpoint").toEqual([]);

    const actionFile = exported.find((e) => e.route === "routes/[id]/[action]");
    const listed = /ACTIONS\s*=\s*\[([^\]]*)\]/.exec(actionFile?.source ?? "");
    expect(listed, "the action route lists its actions").not.toBeNull();
    const actions = [...listed![1]!.matchAll(/["']([^"']+)["']/g)].map((m) => m[1]).sort();
    expect(ROWS.filter((r) => r.action).map((r) => r.action).sort()).toEqual(actions);
  });
});

describe("anonymous", () => {
  it.each(CASES)("%s → 401", async (_, row) => {
    await refused(row, {}, 401);
  });
});

describe("wrong admin token", () => {
  it.each(CASES)("%s → 401", async (_, row) => {
    await refused(row, { bearer: "not-the-admin-token-0123456789" }, 401);
  });
});

describe("member session", () => {
  it.each(CASES)("%s → 403 permission_error", async (_, row) => {
    const error = await refused(row, { cookie: memberCookie }, 403);
    expect(error.type).toBe("permission_error");
    expect(error.code).not.toBe("csrf");
  });
});

describe("admin session from this server's pages", () => {
  it.each(CASES)("%s → 2xx", async (_, row) => {
    await expectSuccess(await send(row, { cookie: adminCookie }));
  });
});

describe("admin session from another site", () => {
  it.each(WRITE_CASES)("%s with a foreign Origin → 403 csrf", async (_, row) => {
    const error = await refused(row, { cookie: adminCookie, origin: FOREIGN_ORIGIN }, 403);
    expect(error).toMatchObject({ type: "permission_error", code: "csrf" });
  });

  it.each(WRITE_CASES)("%s with no Origin or Referer → 403 csrf", async (_, row) => {
    const error = await refused(row, { cookie: adminCookie, origin: null }, 403);
    expect(error.code).toBe("csrf");
  });
});

describe("admin session, judged by the Referer when there is no Origin", () => {
  it("this server's page → 2xx", async () => {
    const res = await call(server, "/api/admin/teams", { method: "POST", cookie: adminCookie, origin: null, headers: { referer: `${server.url}/settings/teams` }, json: { name: unique("acc-referer") } });
    await expectSuccess(res);
  });

  it.each([`${FOREIGN_ORIGIN}/page`, "not a url"])("Referer %j → 403 csrf", async (referer) => {
    const before = dbSnapshot(server);
    const res = await call(server, "/api/admin/teams", { method: "POST", cookie: adminCookie, origin: null, headers: { referer }, json: { name: unique("acc-referer") } });
    expect((await expectError(res, 403)).code).toBe("csrf");
    expect(dbSnapshot(server)).toEqual(before);
  });
});

describe("admin token", () => {
  it.each(CASES)("%s → 2xx, whatever the Origin", async (_, row) => {
    // Tools send no cookie, so a cross-site page cannot ride on the token: no Origin check applies.
    await expectSuccess(await send(row, { bearer: ADMIN_TOKEN, origin: row.method === "GET" ? null : FOREIGN_ORIGIN }));
  });
});

// Last: it takes the admin's role and the member's account away.
describe("changes to a person apply to their live session at once", () => {
  it("a demoted admin is refused, a deleted person is signed out", async () => {
    const admin = (await adminJson(server, "/api/admin/users")).data.find((u: { email: string }) => u.email === "admin@access.test");
    await adminJson(server, `/api/admin/users/${admin.id}`, { method: "PATCH", json: { role: "member" } });
    expect((await expectError(await call(server, "/api/admin/teams", { cookie: adminCookie }), 403)).type).toBe("permission_error");

    const member = (await adminJson(server, "/api/admin/users")).data.find((u: { email: string }) => u.email === "member@access.test");
    expect((await call(server, "/api/me", { cookie: memberCookie })).status).toBe(200);
    await adminJson(server, `/api/admin/users/${member.id}`, { method: "DELETE" });
    await expectError(await call(server, "/api/me", { cookie: memberCookie }), 401);
    await expectError(await call(server, "/api/admin/teams", { cookie: memberCookie }), 401);
  });
});
