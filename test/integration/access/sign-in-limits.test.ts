/**
 * Guessing passwords is limited per account (the email tried, from any address) and per client
 * address (whatever the accounts), with Retry-After; the address is the socket's, not a header the
 * client writes. Requests come from different loopback addresses (127.0.0.x) so the server sees
 * truly different peers.
 */
import { Agent, fetch } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestServer } from "../../helpers/server";
import { createPerson, startAccessServer, type Person } from "./helpers";

const agents = new Map<string, Agent>();
const from = (address: string) => {
  let agent = agents.get(address);
  if (!agent) agents.set(address, (agent = new Agent({ localAddress: address })));
  return agent;
};

interface Attempt {
  status: number;
  retryAfter: number | null;
  body: Record<string, any>;
  cookie: boolean;
  /** When the answer arrived. */
  at: number;
}

async function attempt(server: TestServer, address: string, email: string, password: string, headers: Record<string, string> = {}): Promise<Attempt> {
  const res = await fetch(`${server.url}/api/auth/sign-in/email`, {
    method: "POST",
    headers: { origin: server.url, "content-type": "application/json", ...headers },
    body: JSON.stringify({ email, password }),
    dispatcher: from(address),
  });
  const text = await res.text();
  const retryAfter = res.headers.get("retry-after");
  return {
    status: res.status,
    retryAfter: retryAfter === null ? null : Number(retryAfter),
    body: text ? JSON.parse(text) : {},
    cookie: res.headers.getSetCookie().length > 0,
    at: Date.now(),
  };
}

function expectLimited(a: Attempt, windowSeconds: number): void {
  expect(a.status, JSON.stringify(a.body)).toBe(429);
  expect(a.cookie).toBe(false);
  expect(a.retryAfter).toBeGreaterThanOrEqual(1);
  expect(a.retryAfter).toBeLessThanOrEqual(windowSeconds);
  expect(a.body).toEqual({ code: "TOO_MANY_ATTEMPTS", message: `Too many sign-in attempts, try again in ${a.retryAfter} s.`, retryAfter: a.retryAfter });
}

afterAll(async () => {
  await Promise.all([...agents.values()].map((a) => a.close()));
});

describe("with a long window", () => {
  const WINDOW = 300;
  let server: TestServer;
  let ada: Person;
  let bob: Person;
  let cy: Person;

  beforeAll(async () => {
    server = await startAccessServer({
      env: { SWITCHYARD_SIGNIN_MAX_ATTEMPTS: "3", SWITCHYARD_SIGNIN_IP_MAX_ATTEMPTS: "6", SWITCHYARD_SIGNIN_WINDOW_SECONDS: String(WINDOW) },
    });
    ada = await createPerson(server, { email: "ada@limits.test", password: "ada-password-1", role: "member" });
    bob = await createPerson(server, { email: "bob@limits.test", password: "bob-password-1", role: "member" });
    cy = await createPerson(server, { email: "cy@limits.test", password: "cy-password-1", role: "member" });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("locks an account after 3 wrong passwords, from any address, and the right password does not open it", async () => {
    for (let i = 0; i < 3; i++) expect((await attempt(server, "127.0.0.1", ada.email, `wrong-${i}-password`)).status).toBe(401);
    expectLimited(await attempt(server, "127.0.0.1", ada.email, "wrong-3-password"), WINDOW);
    // Another address, and the email written differently: the same account.
    expectLimited(await attempt(server, "127.0.0.2", ada.email, ada.password), WINDOW);
    expectLimited(await attempt(server, "127.0.0.2", ` ${ada.email.toUpperCase()} `, ada.password), WINDOW);
    // Only that account: another one signs in from the same addresses.
    expect((await attempt(server, "127.0.0.2", bob.email, bob.password)).status).toBe(200);
    expect((await attempt(server, "127.0.0.1", bob.email, bob.password)).status).toBe(200);
  });

  it("parallel guesses cannot outrun the account limit", async () => {
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => attempt(server, `127.0.1.${i + 1}`, cy.email, `parallel-guess-${i}`)));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([401, 401, 401, 429, 429, 429, 429, 429, 429, 429]);
  });

  it("limits one address across accounts, and the right password from it is refused too", async () => {
    for (let i = 0; i < 6; i++) expect((await attempt(server, "127.0.0.3", `nobody-${i}@limits.test`, "some-password-1")).status).toBe(401);
    expectLimited(await attempt(server, "127.0.0.3", bob.email, bob.password), WINDOW);
    expect((await attempt(server, "127.0.0.4", bob.email, bob.password)).status).toBe(200);
  });

  it("a client cannot pose as other addresses with X-Forwarded-For", async () => {
    const spoof = (i: number) => ({ "x-forwarded-for": `198.51.100.${i + 1}`, "x-switchyard-client-ip": `203.0.113.${i + 1}` });
    for (let i = 0; i < 6; i++) expect((await attempt(server, "127.0.0.5", `someone-${i}@limits.test`, "some-password-1", spoof(i))).status).toBe(401);
    expectLimited(await attempt(server, "127.0.0.5", "someone-else@limits.test", "some-password-1", spoof(99)), WINDOW);
  });
});

describe("with a short window", () => {
  const WINDOW = 2;
  let server: TestServer;
  let dee: Person;

  beforeAll(async () => {
    server = await startAccessServer({ env: { SWITCHYARD_SIGNIN_MAX_ATTEMPTS: "2", SWITCHYARD_SIGNIN_WINDOW_SECONDS: String(WINDOW) } });
    dee = await createPerson(server, { email: "dee@limits.test", password: "dee-password-1", role: "member" });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("signs in again once Retry-After has passed", async () => {
    let locked: Attempt | null = null;
    // Should the window end between the guesses on a slow machine, the guessing simply continues.
    for (let i = 0; i < 10 && !locked; i++) {
      const a = await attempt(server, "127.0.0.1", dee.email, `wrong-${i}-password`);
      if (a.status === 429) locked = a;
      else expect(a.status).toBe(401);
    }
    expect(locked).not.toBeNull();
    expectLimited(locked!, WINDOW);
    // Waited from when the refusal arrived, plus a margin for the server's clock being ahead.
    const wait = locked!.retryAfter! * 1000 + 500 - (Date.now() - locked!.at);
    await new Promise((r) => setTimeout(r, Math.max(0, wait)));
    const after = await attempt(server, "127.0.0.2", dee.email, dee.password);
    expect(after.status, JSON.stringify(after.body)).toBe(200);
    expect(after.cookie).toBe(true);
  });
});
