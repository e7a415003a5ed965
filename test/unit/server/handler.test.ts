/**
 * The route wrapper against a real runtime on an in-memory database: each door admits whom it
 * should, cookie-authenticated writes must be same-origin, bodies are read under the route's limit,
 * and errors come out as OpenAI-shaped answers that never leak an internal message.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { adminContext } from "@/lib/admin/context";
import { createTeamKey } from "@/lib/admin/keys";
import { createTeam } from "@/lib/admin/teams";
import { createUser } from "@/lib/admin/users";
import { parseEnv } from "@/lib/env";
import { GatewayError, unauthorized } from "@/lib/gateway/errors";
import { apiRoute } from "@/lib/server/handler";
import { createRuntime, installRuntime, type Runtime } from "@/lib/server/runtime";

const HOST = "switchyard.test";
const ORIGIN = `http://${HOST}`;
const ADMIN_TOKEN = "unit-admin-token-0123456789abcdef";

let runtime: Runtime;
let adminCookie: string;
let memberCookie: string;
let teamId: string;
let teamKey: string;

async function signIn(email: string, password: string): Promise<string> {
  const res = await (await runtime.auth()).api.signInEmail({ body: { email, password }, asResponse: true });
  expect(res.status).toBe(200);
  return res.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
}

interface Call {
  method?: string;
  cookie?: string;
  bearer?: string;
  /** Defaults to this server's own origin; null sends none. */
  origin?: string | null;
  body?: string;
}

function request({ method = "GET", cookie, bearer, origin = ORIGIN, body }: Call = {}): Request {
  const headers: Record<string, string> = { host: HOST };
  if (cookie) headers.cookie = cookie;
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  if (origin) headers.origin = origin;
  if (body !== undefined) headers["content-type"] = "application/json";
  return new Request(`${ORIGIN}/api/test`, { method, headers, body });
}

const noParams = { params: Promise.resolve({}) };

async function errorOf(res: Response): Promise<{ message: string; type: string; code: string | null; param: string | null }> {
  const body = await res.json();
  expect(Object.keys(body)).toEqual(["error"]);
  return body.error;
}

beforeAll(async () => {
  runtime = await createRuntime(
    parseEnv({
      NODE_ENV: "test",
      DATABASE_PATH: ":memory:",
      SWITCHYARD_ADMIN_TOKEN: ADMIN_TOKEN,
      SWITCHYARD_SECRET: "unit-secret-0123456789abcdef0123",
      SWITCHYARD_PUBLIC_URL: ORIGIN,
      SWITCHYARD_DEMO: "0",
      SWITCHYARD_LOG_LEVEL: "error",
    }),
  );
  installRuntime(runtime);
  const ctx = { ...adminContext(runtime), actor: "test" };
  teamId = (await createTeam(ctx, { name: "Unit team" })).id;
  teamKey = (await createTeamKey(ctx, teamId, { name: "unit" })).key;
  await createUser(ctx, await runtime.auth(), { email: "admin@unit.test", name: "Ada", password: "admin-password-1", role: "admin", teamIds: [] });
  await createUser(ctx, await runtime.auth(), { email: "member@unit.test", name: "Max", password: "member-password-1", role: "member", teamIds: [teamId] });
  adminCookie = await signIn("admin@unit.test", "admin-password-1");
  memberCookie = await signIn("member@unit.test", "member-password-1");
});

afterAll(async () => {
  await runtime?.shutdown();
});

describe("the admin door", () => {
  const route = apiRoute({ auth: "admin" }, ({ ctx }) => ({ actor: ctx.actor }));

  it("admits the admin token and an admin's session, naming who acts", async () => {
    expect(await (await route(request({ bearer: ADMIN_TOKEN }), noParams)).json()).toEqual({ actor: "admin-token" });
    expect(await (await route(request({ cookie: adminCookie }), noParams)).json()).toEqual({ actor: "admin@unit.test" });
  });

  it("answers 401 without credentials or with any other bearer token, 403 to a member", async () => {
    expect(await errorOf(await route(request(), noParams))).toMatchObject({ code: "unauthorized", type: "invalid_request_error" });
    for (const bearer of ["wrong-token", teamKey]) {
      const res = await route(request({ bearer }), noParams);
      expect(res.status).toBe(401);
      expect((await errorOf(res)).code).toBe("unauthorized");
    }
    const member = await route(request({ cookie: memberCookie }), noParams);
    expect(member.status).toBe(403);
    expect((await errorOf(member)).code).toBe("forbidden");
  });

  it("refuses a cross-site write authenticated by a cookie, but not one sent with the token", async () => {
    const write = apiRoute({ auth: "admin" }, () => ({ ok: true }));
    for (const origin of ["https://evil.example", null]) {
      const res = await write(request({ method: "POST", cookie: adminCookie, origin }), noParams);
      expect(res.status).toBe(403);
      expect((await errorOf(res)).code).toBe("csrf");
    }
    expect((await write(request({ method: "POST", cookie: adminCookie }), noParams)).status).toBe(200);
    expect((await write(request({ method: "POST", bearer: ADMIN_TOKEN, origin: null }), noParams)).status).toBe(200);
  });
});

describe("the session door", () => {
  const route = apiRoute({ auth: "session" }, ({ viewer }) => ({ email: viewer.email, role: viewer.role }));

  it("admits any signed-in person and nothing else", async () => {
    expect(await (await route(request({ cookie: memberCookie }), noParams)).json()).toEqual({ email: "member@unit.test", role: "member" });
    expect(await (await route(request({ cookie: adminCookie }), noParams)).json()).toEqual({ email: "admin@unit.test", role: "admin" });
    for (const bearer of [undefined, ADMIN_TOKEN, teamKey]) {
      const res = await route(request({ bearer }), noParams);
      expect(res.status).toBe(401);
      expect((await errorOf(res)).message).toBe("Sign in to continue.");
    }
  });

  it("refuses a cross-site write", async () => {
    const res = await route(request({ method: "DELETE", cookie: memberCookie, origin: "https://evil.example" }), noParams);
    expect(res.status).toBe(403);
    expect((await errorOf(res)).code).toBe("csrf");
  });
});

describe("the team-key door", () => {
  const route = apiRoute({ auth: "team-key" }, ({ scope }) => scope);

  it("scopes a team key to its team and an admin to every team", async () => {
    expect(await (await route(request({ bearer: teamKey }), noParams)).json()).toEqual({ kind: "team", teamId });
    expect(await (await route(request({ bearer: ADMIN_TOKEN }), noParams)).json()).toEqual({ kind: "admin" });
    expect(await (await route(request({ cookie: adminCookie }), noParams)).json()).toEqual({ kind: "admin" });
  });

  it("answers 401 to a wrong key or none, 403 to a member's session", async () => {
    const wrong = await route(request({ bearer: `${teamKey}x` }), noParams);
    expect(wrong.status).toBe(401);
    expect((await errorOf(wrong)).code).toBe("invalid_api_key");
    expect((await route(request(), noParams)).status).toBe(401);
    expect((await route(request({ cookie: memberCookie }), noParams)).status).toBe(403);
  });
});

describe("public routes and a route's own check", () => {
  it("lets anyone in, and answers with the handler's status and no caching", async () => {
    const res = await apiRoute({ auth: "public", status: 201 }, () => ({ made: true }))(request(), noParams);
    expect(res.status).toBe(201);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await res.json()).toEqual({ made: true });
  });

  it("demands the same origin of every write when told to, cookie or not", async () => {
    const route = apiRoute({ auth: "public", sameOrigin: "always" }, () => ({ ok: true }));
    expect((await route(request({ method: "POST", origin: null }), noParams)).status).toBe(403);
    expect((await route(request({ method: "POST" }), noParams)).status).toBe(200);
  });

  it("runs a custom check before the handler", async () => {
    const tokenRequired = (req: Request) => {
      if (!req.headers.get("authorization")) throw unauthorized("Token, please.");
    };
    const handler = vi.fn(() => ({ ok: true }));
    const route = apiRoute({ auth: tokenRequired }, handler);
    const refused = await route(request(), noParams);
    expect(refused.status).toBe(401);
    expect((await errorOf(refused)).message).toBe("Token, please.");
    expect(handler).not.toHaveBeenCalled();
    expect((await route(request({ bearer: "anything" }), noParams)).status).toBe(200);
  });

  it("passes the route's params and query, and a Response the handler built untouched", async () => {
    const route = apiRoute({ auth: "public", params: ["id"] }, ({ params, query }) =>
      new Response(`${params.id}:${query.get("q")}`, { status: 202, headers: { "content-type": "text/plain", "x-extra": "1" } }),
    );
    const res = await route(new Request(`${ORIGIN}/api/test?q=yes`), { params: Promise.resolve({ id: "abc" }) });
    expect(res.status).toBe(202);
    expect(res.headers.get("x-extra")).toBe("1");
    expect(res.headers.get("cache-control")).toBeNull();
    expect(await res.text()).toBe("abc:yes");
  });
});

describe("bodies", () => {
  const echo = (opts: Parameters<typeof apiRoute>[0]) => apiRoute(opts, async ({ json }) => ({ got: await json() }));
  const sized = (bytes: number) => JSON.stringify({ pad: "x".repeat(bytes - '{"pad":""}'.length) });

  it("reads JSON up to the route's limit and answers 413 one byte past it", async () => {
    const route = echo({ auth: "public", maxBodyBytes: 100 });
    expect((await route(request({ method: "POST", body: sized(100) }), noParams)).status).toBe(200);
    const res = await route(request({ method: "POST", body: sized(101) }), noParams);
    expect(res.status).toBe(413);
    expect(await errorOf(res)).toEqual({ message: "Request body is larger than the limit of 100 bytes.", type: "invalid_request_error", code: "request_too_large", param: null });
  });

  it("defaults to 64 KiB for people and the public, 1 MiB for admins, and can follow the environment", async () => {
    const over64k = sized(64 * 1024 + 1);
    expect((await echo({ auth: "public" })(request({ method: "POST", body: over64k }), noParams)).status).toBe(413);
    expect((await echo({ auth: "session" })(request({ method: "POST", cookie: memberCookie, body: over64k }), noParams)).status).toBe(413);
    expect((await echo({ auth: "admin" })(request({ method: "POST", bearer: ADMIN_TOKEN, body: over64k }), noParams)).status).toBe(200);
    expect((await echo({ auth: "admin" })(request({ method: "POST", bearer: ADMIN_TOKEN, body: sized(1024 * 1024 + 1) }), noParams)).status).toBe(413);
    const fromEnv = echo({ auth: "public", maxBodyBytes: (env) => env.SWITCHYARD_MAX_BODY_BYTES });
    expect((await fromEnv(request({ method: "POST", body: over64k }), noParams)).status).toBe(200);
  });

  it("checks who is calling before reading a byte of the body", async () => {
    const res = await echo({ auth: "admin", maxBodyBytes: 10 })(request({ method: "POST", body: sized(100) }), noParams);
    expect(res.status).toBe(401);
  });

  it("answers 400 to malformed JSON", async () => {
    const res = await echo({ auth: "public" })(request({ method: "POST", body: '{"a":' }), noParams);
    expect(res.status).toBe(400);
    expect((await errorOf(res)).code).toBe("invalid_json");
  });
});

describe("errors", () => {
  it("answers a GatewayError with its own status, headers and body", async () => {
    const route = apiRoute({ auth: "public" }, () => {
      throw new GatewayError(429, "Slow down.", { type: "requests", code: "rate_limit_exceeded", headers: { "retry-after": "7" } });
    });
    const res = await route(request(), noParams);
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("7");
    expect(await errorOf(res)).toEqual({ message: "Slow down.", type: "requests", code: "rate_limit_exceeded", param: null });
  });

  it("answers anything else with a plain 500 and logs what happened without sending it", async () => {
    const logged = vi.spyOn(runtime.log, "error").mockImplementation(() => {});
    const route = apiRoute({ auth: "public" }, async () => {
      throw new Error("SQLITE_CORRUPT: database disk image is malformed at /srv/secret/path.db");
    });
    const res = await route(request(), noParams);
    const text = await res.text();
    expect(res.status).toBe(500);
    expect(JSON.parse(text)).toEqual({ error: { message: "The server had an error while processing your request.", type: "server_error", code: "internal_error", param: null } });
    expect(text).not.toMatch(/SQLITE|secret/);
    expect(logged).toHaveBeenCalledWith("unhandled error", { error: expect.stringContaining("SQLITE_CORRUPT") });
    logged.mockRestore();
  });
});
