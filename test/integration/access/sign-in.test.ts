/**
 * Signing in with no public URL configured, as on a first start opened at http://localhost:<port>
 * (the README's quick start): that origin is accepted, another site's is not, a wrong password
 * sets no cookie, and cookies are Secure exactly when the request came in over https.
 */
import { Agent, fetch as undiciFetch } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type TestServer } from "../../helpers/server";
import { call, createPerson, FOREIGN_ORIGIN, freePort, PRODUCTION_LIKE, trySignIn, type Person } from "./helpers";

let server: TestServer;
let person: Person;
let localhost: string;

beforeAll(async () => {
  const port = await freePort();
  localhost = `http://localhost:${port}`;
  // 127.0.0.1 is a trusted proxy: only its word says a request came in over https.
  server = await startServer({ env: { ...PRODUCTION_LIKE, PORT: String(port), SWITCHYARD_TRUSTED_PROXIES: "127.0.0.1" } });
  person = await createPerson(server, { email: "first@sign-in.test", password: "first-password-1", role: "admin" });
});
afterAll(async () => {
  await server?.stop();
});

describe("sign-in without SWITCHYARD_PUBLIC_URL", () => {
  it("refuses another site's origin without setting a cookie", async () => {
    const foreign = await trySignIn(server, person.email, person.password, FOREIGN_ORIGIN);
    expect(foreign.status).toBe(403);
    expect(foreign.cookie).toBeNull();
  });

  it("from http://localhost: a wrong password is refused, the right one gives a working session", async () => {
    const wrong = await trySignIn(server, person.email, "not-the-password", localhost);
    expect(wrong.status, wrong.body).toBe(401);
    expect(wrong.cookie).toBeNull();

    const ok = await trySignIn(server, person.email, person.password, localhost);
    expect(ok.status, ok.body).toBe(200);
    expect(ok.cookie).toBeTruthy();
    const me = await call(server, "/api/me", { cookie: ok.cookie });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ email: person.email, role: "admin" });
  });
});

describe("Secure cookies without SWITCHYARD_PUBLIC_URL", () => {
  const agent = new Agent({ localAddress: "127.0.0.2" });
  afterAll(() => agent.close());

  // Behind a TLS proxy the browser's page, and so its Origin, is https.
  async function cookiesOf(headers: Record<string, string>, dispatcher?: Agent): Promise<string[]> {
    const origin = headers["x-forwarded-proto"] === "https" ? server.url.replace("http:", "https:") : server.url;
    const res = await undiciFetch(`${server.url}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { origin, "content-type": "application/json", ...headers },
      body: JSON.stringify({ email: person.email, password: person.password }),
      dispatcher,
    });
    const body = await res.text();
    expect(res.status, body).toBe(200);
    return res.headers.getSetCookie();
  }

  it("plain http gets cookies without Secure, so http://localhost and LAN addresses work", async () => {
    const cookies = await cookiesOf({});
    expect(cookies.length).toBeGreaterThan(0);
    for (const c of cookies) expect(c).not.toMatch(/;\s*secure/i);
  });

  it("https as told by a trusted proxy gets Secure cookies", async () => {
    const cookies = await cookiesOf({ "x-forwarded-proto": "https", "x-forwarded-for": "198.51.100.7" });
    expect(cookies.length).toBeGreaterThan(0);
    for (const c of cookies) expect(c).toMatch(/;\s*Secure/);
  });

  it("a client's own X-Forwarded-Proto is not believed", async () => {
    const cookies = await cookiesOf({ "x-forwarded-proto": "https" }, agent);
    for (const c of cookies) expect(c).not.toMatch(/;\s*secure/i);
  });
});
