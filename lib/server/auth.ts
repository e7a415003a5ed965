/**
 * Browser sign-in with email and password, on the auth library with our Drizzle tables: scrypt
 * password hashes, database sessions, HttpOnly SameSite=Lax cookies (Secure over https). Public
 * sign-up is off: the first admin comes from the environment or the setup page, admins add others.
 */
import { createHash } from "node:crypto";
import { inspect } from "node:util";
import type { Db } from "@/db/client";
import type { PgDb } from "@/db/client-pg";
import { accounts, sessions, users, verifications } from "@/db/schema";
import type { Logger } from "../gateway/types";
import { CLIENT_IP_HEADER } from "./client-address";

export type Role = "admin" | "member";

export interface SignInLimits {
  /** Attempts one client address may make within the window, whatever the accounts. */
  ipMaxAttempts: number;
  windowSeconds: number;
}

// Without a public URL the library warns, when it is created, that it will take the origin from
// each request. That is the intent here (trustedOrigins and followScheme in auth-route.ts work per
// request), so the notice is dropped rather than printed in every process's log.
const BASE_URL_NOTICE = "Base URL is not set";

/** The library's log lines, in our JSON log at their own level. */
function authLogger(log: Logger, baseURL: string | undefined) {
  return {
    log(level: "debug" | "info" | "warn" | "error", message: string, ...args: unknown[]) {
      if (!baseURL && message.includes(BASE_URL_NOTICE)) return;
      // inspect, not JSON: what the library passes along may be circular.
      log[level](`auth: ${message}`, args.length > 0 ? { details: args.map((a) => (typeof a === "string" ? a : inspect(a, { depth: 2, breakLength: Infinity }))) } : undefined);
    },
  };
}

/** The library's adapter on whichever database the process opened, with that database's tables. */
async function databaseAdapter(db: Db | PgDb) {
  const [{ drizzleAdapter }, { is }, { PgDatabase }] = await Promise.all([
    import("better-auth/adapters/drizzle"),
    import("drizzle-orm"),
    import("drizzle-orm/pg-core"),
  ]);
  if (is(db, PgDatabase)) {
    const pg = await import("@/db/schema-pg");
    return drizzleAdapter(db, {
      provider: "pg",
      schema: { user: pg.users, session: pg.sessions, account: pg.accounts, verification: pg.verifications },
    });
  }
  return drizzleAdapter(db, {
    provider: "sqlite",
    schema: { user: users, session: sessions, account: accounts, verification: verifications },
  });
}

/**
 * The auth library and what it pulls in are several hundred modules; loaded here, on the first
 * sign-in or session check, instead of at start, so a gateway that serves only API keys never
 * loads them.
 */
export async function createAuth(db: Db | PgDb, opts: { secret: string; baseURL?: string; trustedOrigins?: string[]; signIn: SignInLimits; log: Logger }) {
  const [{ betterAuth }, database] = await Promise.all([import("better-auth"), databaseAdapter(db)]);
  return betterAuth({
    appName: "Switchyard",
    // Derived, so rotating SWITCHYARD_SECRET also signs everyone out.
    secret: createHash("sha256").update(`switchyard:sessions:${opts.secret}`).digest("hex"),
    baseURL: opts.baseURL,
    // Sign-in is trusted from the public URL, or else from the very host the request was sent to
    // (the same rule as assertSameOrigin): a browser cannot forge Origin, so cross-site posts fail.
    trustedOrigins: (request?: Request) => {
      const host = request?.headers.get("x-forwarded-host") ?? request?.headers.get("host");
      return [...(opts.trustedOrigins ?? []), ...(host ? [`http://${host}`, `https://${host}`] : [])];
    },
    database,
    emailAndPassword: { enabled: true, disableSignUp: true, minPasswordLength: 8, maxPasswordLength: 256 },
    user: {
      additionalFields: {
        role: { type: "string", required: false, defaultValue: "member", input: false },
        currentTeamId: { type: "string", required: false, input: false },
      },
    },
    session: { expiresIn: 60 * 60 * 24 * 7, updateAge: 60 * 60 * 24 },
    telemetry: { enabled: false },
    logger: authLogger(opts.log, opts.baseURL),
    // On whatever NODE_ENV says (the library's default is on in production only). In memory:
    // one process answers sign-in, and a restart clearing the counts is no gift to a guesser.
    rateLimit: {
      enabled: true,
      storage: "memory",
      window: 10,
      max: 100,
      customRules: { "/sign-in/email": { window: opts.signIn.windowSeconds, max: opts.signIn.ipMaxAttempts } },
    },
    advanced: {
      cookiePrefix: "switchyard",
      // Secure cookies follow the public URL's scheme; without one, the request's (auth-route.ts).
      useSecureCookies: opts.baseURL ? opts.baseURL.startsWith("https:") : false,
      // The custom server stamps the socket's address here, or the client a trusted proxy names;
      // X-Forwarded-For itself is anyone's to write (client-address.ts).
      ipAddress: { ipAddressHeaders: [CLIENT_IP_HEADER] },
    },
  });
}

export type Auth = Awaited<ReturnType<typeof createAuth>>;

/** Creates a user with a password through the auth library's own adapter and hasher. */
export async function createUserWithPassword(
  auth: Auth,
  input: { email: string; name: string; password: string; role: Role },
): Promise<{ id: string; email: string; name: string; role: Role }> {
  const ctx = await auth.$context;
  const user = await ctx.internalAdapter.createUser({
    email: input.email.toLowerCase(),
    name: input.name,
    emailVerified: true,
    role: input.role,
  }, { method: "admin" });
  await ctx.internalAdapter.linkAccount({
    userId: user.id,
    providerId: "credential",
    accountId: user.id,
    password: await ctx.password.hash(input.password),
  });
  return { id: user.id, email: user.email, name: user.name, role: input.role };
}

/** A new password signs the person out everywhere: whoever knew the old one loses their session. */
export async function setUserPassword(auth: Auth, userId: string, password: string): Promise<void> {
  const ctx = await auth.$context;
  await ctx.internalAdapter.updatePassword(userId, await ctx.password.hash(password));
  await ctx.internalAdapter.deleteUserSessions(userId);
}
