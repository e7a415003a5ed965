/**
 * The first admin account: from SWITCHYARD_ADMIN_EMAIL / SWITCHYARD_ADMIN_PASSWORD at start, or
 * from the one-time setup page while the database has no users at all. A fresh install listens on
 * every interface, so whoever reaches it first could claim it: from anywhere but this machine the
 * setup page also asks for a token printed at start, which only the person who started it has seen.
 */
import { z } from "zod";
import { getTeamByName } from "@/db/queries/teams";
import { countUsers, getUserByEmail, setTeamsOfUser } from "@/db/queries/users";
import { conflict, GatewayError } from "../gateway/errors";
import { parseInput } from "../admin/schemas";
import { generateToken, safeEqual, sha256Hex } from "../secrets";
import { createUserWithPassword } from "./auth";
import type { Client } from "./client-address";
import type { Runtime } from "./runtime";
import { DEMO_TEAM_NAME } from "./seed";

/**
 * With the demo seeded, the first admin joins its team (as their current team), so the chat works
 * at once instead of asking them to make a team first.
 */
async function joinDemoTeam(runtime: Runtime, userId: string): Promise<void> {
  const team = await getTeamByName({ name: DEMO_TEAM_NAME });
  if (team) await setTeamsOfUser({ userId, teamIds: [team.id], now: runtime.now() });
}

export async function ensureAdminFromEnv(runtime: Runtime): Promise<void> {
  const { SWITCHYARD_ADMIN_EMAIL: email, SWITCHYARD_ADMIN_PASSWORD: password } = runtime.env;
  if (!email || !password || (await getUserByEmail({ email }))) return;
  const user = await createUserWithPassword(await runtime.auth(), { email, name: email.split("@")[0]!, password, role: "admin" });
  await joinDemoTeam(runtime, user.id);
  runtime.log.info("created the first admin from the environment", { userId: user.id });
}

const setupSchema = z.strictObject({
  email: z.email().max(254),
  name: z.string().trim().min(1).max(128),
  password: z.string().min(8, "must be at least 8 characters").max(256),
  setupToken: z.string().max(200).optional(),
});

export const needsSetup = async (): Promise<boolean> => (await countUsers()) === 0;

/** At start, while nobody has an account: a new token each start, shown in the banner, kept only as a hash. */
export async function issueSetupToken(runtime: Runtime): Promise<void> {
  if (!(await needsSetup())) return;
  const token = `sy-setup-${generateToken(18)}`;
  runtime.setupTokenHash = sha256Hex(token);
  runtime.banner.push(`Setup token (to create the first admin from another machine): ${token}`);
}

/**
 * Whether the setup page must ask for the token: yes unless the request came from this machine's
 * loopback. Without the custom server's stamp (`client` null) the address is unknown, so yes.
 */
export const setupTokenRequired = async (client: Client | null): Promise<boolean> => !client?.local && (await needsSetup());

/** What the setup page asks before it shows: is there anything to set up, and must it ask for the token. */
export const setupState = async (client: Client | null) => {
  const open = await needsSetup();
  return { needsSetup: open, tokenRequired: open && !client?.local };
};

function assertSetupToken(runtime: Runtime, client: Client | null, token: string | undefined): void {
  if (client?.local) return;
  if (!token) {
    throw new GatewayError(403, "Setting up from another machine needs the setup token printed when the server started.", { type: "permission_error", code: "setup_token_required", param: "setupToken" });
  }
  if (!runtime.setupTokenHash || !safeEqual(sha256Hex(token.trim()), runtime.setupTokenHash)) {
    throw new GatewayError(403, "That is not the setup token this server printed when it started.", { type: "permission_error", code: "invalid_setup_token", param: "setupToken" });
  }
}

// Two setup submissions racing must not both become admins; the check and the insert of the
// first one complete before the second is looked at, so both run inside the promise in flight.
let setupInFlight: Promise<unknown> | null = null;

export async function completeSetup(runtime: Runtime, input: unknown, client: Client | null) {
  const { setupToken, ...body } = parseInput(setupSchema, input);
  // Before the checks: no await may come between them and setupInFlight being set.
  const auth = await runtime.auth();
  while (setupInFlight) await setupInFlight.catch(() => {});
  const attempt = (async () => {
    if (!(await needsSetup())) throw conflict("Setup is already done: sign in, or ask an admin for an account.");
    assertSetupToken(runtime, client, setupToken);
    const user = await createUserWithPassword(auth, { ...body, role: "admin" });
    await joinDemoTeam(runtime, user.id);
    // One-time: with an admin in place there is nothing left for it to unlock.
    runtime.setupTokenHash = null;
    return user;
  })();
  setupInFlight = attempt;
  try {
    return await attempt;
  } finally {
    setupInFlight = null;
  }
}
