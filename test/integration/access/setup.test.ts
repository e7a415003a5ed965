/**
 * Claiming the first admin on a fresh install: only from this server's own pages, and from
 * anywhere but this machine's loopback only with the setup token printed at start.
 *
 * "Another machine" is this host's own non-loopback address when it has one (the server listens
 * on 0.0.0.0, as a fresh install does); without one, a client behind a trusted proxy. A loopback
 * peer other than 127.0.0.1 (which is not a trusted proxy here) stands for an unconfigured proxy
 * on the same machine.
 */
import { networkInterfaces } from "node:os";
import { Agent, fetch } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestServer } from "../../helpers/server";
import { FOREIGN_ORIGIN, freePort, PRODUCTION_LIKE } from "./helpers";
import { startServer } from "../../helpers/server";

const hostAddress = Object.values(networkInterfaces())
  .flat()
  .find((i) => i && i.family === "IPv4" && !i.internal)?.address;

const untrustedLoopback = new Agent({ localAddress: "127.0.0.2" });
const ADMIN = { name: "Ada", email: "ada@setup.test", password: "ada-password-1" };

interface Via {
  base: string;
  headers: Record<string, string>;
  dispatcher?: Agent;
}

let server: TestServer;
let port: number;
let token: string;
/** This machine's loopback, directly. */
let local: Via;
/** Another machine. */
let remote: Via;

async function setup(via: Via, body: Record<string, unknown>, origin: string | null = via.base) {
  const res = await fetch(`${via.base}/api/setup`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(origin ? { origin } : {}), ...via.headers },
    body: JSON.stringify(body),
    dispatcher: via.dispatcher,
  });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as Record<string, any> };
}

async function status(via: Via): Promise<{ needsSetup: boolean; tokenRequired: boolean }> {
  const res = await fetch(`${via.base}/api/setup`, { headers: via.headers, dispatcher: via.dispatcher });
  return (await res.json()) as { needsSetup: boolean; tokenRequired: boolean };
}

async function setupPage(via: Via): Promise<string> {
  const res = await fetch(`${via.base}/setup`, { headers: via.headers, dispatcher: via.dispatcher });
  expect(res.status).toBe(200);
  return res.text();
}

const users = () => server.db().prepare("select email, role from users").all();

beforeAll(async () => {
  port = await freePort();
  server = await startServer({ env: { ...PRODUCTION_LIKE, PORT: String(port), HOSTNAME: "0.0.0.0", SWITCHYARD_TRUSTED_PROXIES: "127.0.0.1" } });
  const until = Date.now() + 5000;
  while (!/Setup token/.test(server.output()) && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
  token = /Setup token \(to create the first admin from another machine\): (sy-setup-\S+)/.exec(server.output())?.[1] ?? "";
  local = { base: `http://127.0.0.1:${port}`, headers: {} };
  remote = hostAddress
    ? { base: `http://${hostAddress}:${port}`, headers: {} }
    : { base: `http://127.0.0.1:${port}`, headers: { "x-forwarded-for": "203.0.113.5" } };
});
afterAll(async () => {
  await untrustedLoopback.close();
  await server?.stop();
});

describe("first-admin setup", () => {
  it("prints a one-time setup token at start while nobody has an account", () => {
    expect(token, server.output()).toMatch(/^sy-setup-[\w-]{20,}$/);
    expect(server.output().split(token).length - 1).toBe(1);
  });

  it("tells the page whether to ask for the token, and the page asks only then", async () => {
    expect(await status(local)).toEqual({ needsSetup: true, tokenRequired: false });
    expect(await status(remote)).toEqual({ needsSetup: true, tokenRequired: true });
    // Through the trusted proxy: whoever it names decides.
    expect(await status({ base: local.base, headers: { "x-forwarded-for": "203.0.113.5" } })).toMatchObject({ tokenRequired: true });
    expect(await status({ base: local.base, headers: { "x-forwarded-for": "127.0.0.1" } })).toMatchObject({ tokenRequired: false });
    // A loopback peer relaying for someone, without being a trusted proxy.
    expect(await status({ base: local.base, headers: { "x-forwarded-for": "127.0.0.1" }, dispatcher: untrustedLoopback })).toMatchObject({ tokenRequired: true });

    expect(await setupPage(local)).not.toContain('id="setupToken"');
    expect(await setupPage(remote)).toContain('id="setupToken"');
  });

  it("refuses a cross-site post, or one with no origin, even from this machine", async () => {
    const foreign = await setup(local, ADMIN, FOREIGN_ORIGIN);
    expect(foreign.status).toBe(403);
    expect(foreign.body.error).toMatchObject({ type: "permission_error", code: "csrf" });
    expect((await setup(local, ADMIN, null)).status).toBe(403);
    expect(users()).toEqual([]);
  });

  it("from another machine, refuses without the token or with a wrong one", async () => {
    const missing = await setup(remote, ADMIN);
    expect(missing.status).toBe(403);
    expect(missing.body.error).toMatchObject({ code: "setup_token_required", param: "setupToken" });
    const wrong = await setup(remote, { ...ADMIN, setupToken: `${token}x` });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error).toMatchObject({ code: "invalid_setup_token", param: "setupToken" });
    expect(users()).toEqual([]);
  });

  it("no header a client writes makes it local", async () => {
    const headers = { "x-switchyard-client-local": "1", "x-switchyard-client-ip": "127.0.0.1", "x-forwarded-for": "127.0.0.1" };
    const direct = hostAddress ? { base: remote.base, headers } : { base: local.base, headers, dispatcher: untrustedLoopback };
    expect((await setup(direct, ADMIN)).status).toBe(403);
    expect((await setup({ ...local, headers: { "x-forwarded-for": "127.0.0.1" }, dispatcher: untrustedLoopback }, ADMIN)).status).toBe(403);
    expect(users()).toEqual([]);
  });

  it("from another machine, creates the admin with the right token, once", async () => {
    const created = await setup(remote, { ...ADMIN, setupToken: token });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(users()).toEqual([{ email: ADMIN.email, role: "admin" }]);
    expect(await status(remote)).toEqual({ needsSetup: false, tokenRequired: false });
    // Setup is over for everyone, token or not.
    expect((await setup(remote, { ...ADMIN, email: "eve@setup.test", setupToken: token })).status).toBe(409);
    expect((await setup(local, { ...ADMIN, email: "eve@setup.test" })).status).toBe(409);
  });
});

describe("first-admin setup from this machine", () => {
  let own: TestServer;
  afterAll(async () => {
    await own?.stop();
  });

  it("needs no token over loopback", async () => {
    own = await startServer({ env: PRODUCTION_LIKE });
    const res = await fetch(`${own.url}/api/setup`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: own.url },
      body: JSON.stringify(ADMIN),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    expect(await res.json()).toMatchObject({ email: ADMIN.email, role: "admin" });
  });
});
