/**
 * Sign-in through the auth library on each database: a user made with a password signs in, the
 * cookie's session resolves to that user and role, a wrong password is refused, and a new password
 * ends the old sessions.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, getDb, openDb, setDb } from "@/db/client";
import { closePg, getPgDb, openPgDb, setPgDb } from "@/db/client-pg";
import type { Logger } from "@/lib/gateway/types";
import { createAuth, createUserWithPassword, setUserPassword, type Auth } from "@/lib/server/auth";
import { startPostgres, type TestPostgres } from "../../helpers/postgres-server";

// A database the adapter cannot talk to shows up as the library's error lines, not as a throw.
const errors: string[] = [];
const log: Logger = { debug() {}, info() {}, warn() {}, error: (m) => void errors.push(m) };
const options = { secret: "sign-in-test-secret", signIn: { ipMaxAttempts: 100, windowSeconds: 60 }, log };

let server: TestPostgres | undefined;

const dialects = [
  {
    name: "SQLite",
    async open(): Promise<Auth> {
      setDb(openDb(":memory:"));
      return createAuth(getDb(), options);
    },
    async close() {
      closeDb();
    },
  },
  {
    name: "Postgres",
    async open(): Promise<Auth> {
      server = await startPostgres();
      setPgDb(await openPgDb({ url: await server.createDatabase("sign_in") }));
      return createAuth(getPgDb(), options);
    },
    async close() {
      await closePg();
      await server?.stop();
    },
  },
];

describe.each(dialects)("sign-in on $name", (dialect) => {
  let auth: Auth;
  beforeAll(async () => {
    auth = await dialect.open();
  });
  afterAll(() => dialect.close());

  const signIn = (email: string, password: string) =>
    auth.api.signInEmail({ body: { email, password }, asResponse: true, headers: new Headers({ host: "switchyard.test" }) });
  const cookieOf = (res: Response) => res.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");

  it("a user made with a password signs in, and the session names that user and role", async () => {
    const made = await createUserWithPassword(auth, { email: "Ada@Example.com", name: "Ada", password: "correct horse", role: "admin" });
    expect(made).toMatchObject({ email: "ada@example.com", name: "Ada", role: "admin" });

    const res = await signIn("ada@example.com", "correct horse");
    expect(res.status).toBe(200);
    const cookie = cookieOf(res);
    expect(cookie).toContain("switchyard.session_token=");

    const session = await auth.api.getSession({ headers: new Headers({ cookie }) });
    expect(session?.user).toMatchObject({ id: made.id, email: "ada@example.com", role: "admin", emailVerified: true });
    expect(session?.user.createdAt).toBeInstanceOf(Date);
    expect(session!.session.expiresAt.getTime()).toBeGreaterThan(Date.now() + 6 * 24 * 3600_000);
  });

  it("a wrong password is refused and starts no session", async () => {
    await createUserWithPassword(auth, { email: "bob@example.com", name: "Bob", password: "right password", role: "member" });
    const res = await signIn("bob@example.com", "wrong password");
    expect(res.status).toBe(401);
    expect(res.headers.getSetCookie().join("")).not.toContain("session_token=");
  });

  it("a new password ends the sessions made with the old one", async () => {
    const made = await createUserWithPassword(auth, { email: "cy@example.com", name: "Cy", password: "first password", role: "member" });
    const cookie = cookieOf(await signIn("cy@example.com", "first password"));
    expect((await auth.api.getSession({ headers: new Headers({ cookie }) }))?.user.id).toBe(made.id);

    await setUserPassword(auth, made.id, "second password");
    expect(await auth.api.getSession({ headers: new Headers({ cookie }) })).toBeNull();
    expect((await signIn("cy@example.com", "first password")).status).toBe(401);
    expect((await signIn("cy@example.com", "second password")).status).toBe(200);
  });

  it("logs no error", () => {
    expect(errors).toEqual([]);
  });
});
