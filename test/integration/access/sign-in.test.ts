/**
 * Signing in with no public URL configured, as on a first start opened at http://localhost:<port>
 * (the README's quick start): that origin is accepted, another site's is not, and a wrong password
 * sets no cookie.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type TestServer } from "../../helpers/server";
import { call, createPerson, FOREIGN_ORIGIN, freePort, PRODUCTION_LIKE, trySignIn, type Person } from "./helpers";

let server: TestServer;
let person: Person;
let localhost: string;

beforeAll(async () => {
  const port = await freePort();
  localhost = `http://localhost:${port}`;
  server = await startServer({ env: { ...PRODUCTION_LIKE, PORT: String(port) } });
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
