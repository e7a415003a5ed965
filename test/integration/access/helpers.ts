/** Shared by the access suites: a server people can sign in to, signed-in requests, route discovery, DB snapshots. */
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { join, relative, sep } from "node:path";
import { expect } from "vitest";
import { startServer, type TestServer } from "../../helpers/server";

export const FOREIGN_ORIGIN = "https://evil.example";

/**
 * The test runner sets TEST=true, which the server inherits and which makes the auth library skip
 * its origin checks; cleared, sign-in behaves as it does in production.
 */
export const PRODUCTION_LIKE = { TEST: "" };

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/**
 * A server configured as a deployment would be: its public URL is the address the tests use, so
 * the sign-in endpoint's origin check has a known origin to compare against.
 */
export async function startAccessServer(opts: { env?: Record<string, string>; dir?: string } = {}): Promise<TestServer> {
  const port = await freePort();
  return startServer({ ...opts, env: { ...PRODUCTION_LIKE, PORT: String(port), SWITCHYARD_PUBLIC_URL: `http://127.0.0.1:${port}`, ...opts.env } });
}

/** Admin JSON that fails loudly, so a broken setup is not mistaken for an access finding. */
export async function adminJson<T = Record<string, any>>(server: TestServer, path: string, init: RequestInit & { json?: unknown } = {}): Promise<T> {
  const res = await server.admin(path, init);
  const text = await res.text();
  if (!res.ok) throw new Error(`${init.method ?? "GET"} ${path} failed ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

export interface Person {
  id: string;
  email: string;
  password: string;
}

export async function createPerson(
  server: TestServer,
  input: { email: string; password: string; role: "admin" | "member"; teamIds?: string[]; name?: string },
): Promise<Person> {
  const user = await adminJson(server, "/api/admin/users", {
    method: "POST",
    json: { name: input.name ?? input.email.split("@")[0], teamIds: [], ...input },
  });
  return { id: user.id, email: input.email, password: input.password };
}

/** The raw sign-in answer; `cookie` is what a browser would send back, or null when none was set. */
export async function trySignIn(server: TestServer, email: string, password: string, origin = server.url) {
  const res = await fetch(`${server.url}/api/auth/sign-in/email`, {
    method: "POST",
    headers: { origin, "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  const body = await res.text();
  const setCookies = res.headers.getSetCookie();
  const cookie = setCookies.length ? setCookies.map((c) => c.split(";")[0]).join("; ") : null;
  return { status: res.status, body, cookie };
}

/** Signs in and returns the `cookie` header value for later requests. */
export async function signIn(server: TestServer, person: Pick<Person, "email" | "password">): Promise<string> {
  const r = await trySignIn(server, person.email, person.password);
  if (r.status !== 200 || !r.cookie) throw new Error(`sign-in of ${person.email} failed ${r.status}: ${r.body}`);
  return r.cookie;
}

export interface CallOptions {
  method?: string;
  json?: unknown;
  cookie?: string | null;
  bearer?: string | null;
  /** Defaults to the server's own origin; null sends none. */
  origin?: string | null;
  headers?: Record<string, string>;
}

export function call(server: TestServer, path: string, opts: CallOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.cookie) headers.cookie = opts.cookie;
  if (opts.bearer) headers.authorization = `Bearer ${opts.bearer}`;
  const origin = opts.origin === undefined ? server.url : opts.origin;
  if (origin) headers.origin = origin;
  if (opts.json !== undefined) headers["content-type"] = "application/json";
  return fetch(server.url + path, {
    method: opts.method ?? "GET",
    headers,
    body: opts.json === undefined ? undefined : JSON.stringify(opts.json),
  });
}

/** Reads the answer and checks it is an error in the OpenAI shape with the given status. */
export async function expectError(res: Response, status: number): Promise<{ message: string; type: string; code: string | null; param: string | null }> {
  const text = await res.text();
  expect(res.status, text.slice(0, 300)).toBe(status);
  const body = JSON.parse(text);
  expect(Object.keys(body)).toEqual(["error"]);
  expect(body.error).toEqual({
    message: expect.any(String),
    type: expect.any(String),
    code: body.error.code === null ? null : expect.any(String),
    param: body.error.param === null ? null : expect.any(String),
  });
  return body.error;
}

export interface RouteExport {
  /** The route's folder under app/api, e.g. "routes/[id]/[action]" for the admin API. */
  route: string;
  method: string;
  source: string;
}

/** Every HTTP method exported by a route.ts under app/api/<base>, read from the source files. */
export function routeExports(base: string): RouteExport[] {
  const root = join(process.cwd(), "app", "api", base);
  const out: RouteExport[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name === "route.ts" || name === "route.tsx") {
        const source = readFileSync(path, "utf8");
        const route = relative(root, dir).split(sep).join("/");
        const methods = new Set<string>();
        for (const m of source.matchAll(/export\s+(?:const|(?:async\s+)?function)\s+(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS)\b/g)) methods.add(m[1]!);
        for (const m of source.matchAll(/export\s*\{([^}]*)\}/g)) {
          for (const part of m[1]!.split(",")) {
            const exported = part.trim().split(/\s+as\s+/).pop();
            if (exported && /^(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS)$/.test(exported)) methods.add(exported);
          }
        }
        for (const method of methods) out.push({ route, method, source });
      }
    }
  };
  walk(root);
  return out;
}

/** Fills a route folder's [param] segments. */
export function fillRoute(prefix: string, route: string, params: Record<string, string>): string {
  const path = route.replace(/\[([^\]]+)\]/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`no value for [${name}] in ${route}`);
    return encodeURIComponent(value);
  });
  return path ? `${prefix}/${path}` : prefix;
}

// Written by the rollout loop on its own schedule, not by the requests under test.
const VOLATILE_COLUMNS: Record<string, string[]> = { routes: ["last_evaluated_at", "last_decision"] };

/** Every row of every table, for comparing before and after a request that must change nothing. */
export function dbSnapshot(server: TestServer): Record<string, unknown[]> {
  const db = server.db();
  const tables = db
    .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '%drizzle%' order by name")
    .all() as Array<{ name: string }>;
  const snapshot: Record<string, unknown[]> = {};
  for (const { name } of tables) {
    const rows = db.prepare(`select * from "${name}" order by rowid`).all() as Array<Record<string, unknown>>;
    const drop = VOLATILE_COLUMNS[name] ?? [];
    snapshot[name] = rows.map((row) => Object.fromEntries(Object.entries(row).filter(([k]) => !drop.includes(k))));
  }
  return snapshot;
}

/** The UI message stream's `data:` events, parsed. */
export async function uiStreamEvents(res: Response): Promise<Array<Record<string, any>>> {
  const text = await res.text();
  return text
    .split("\n\n")
    .map((block) => block.trim())
    .filter((block) => block.startsWith("data:") && block !== "data: [DONE]")
    .map((block) => JSON.parse(block.slice("data:".length).trim()));
}

/** A user message as the chat page sends it; the page gives each message a random id. */
export function userMessage(text: string, id = `msg-${randomBytes(8).toString("hex")}`) {
  return { id, role: "user", parts: [{ type: "text", text }] };
}
