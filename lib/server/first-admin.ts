/**
 * The first admin account: from SWITCHYARD_ADMIN_EMAIL / SWITCHYARD_ADMIN_PASSWORD at start, or
 * from the one-time setup page while the database has no users at all.
 */
import { z } from "zod";
import { countUsers, getUserByEmail } from "@/db/queries/users";
import { conflict } from "../gateway/errors";
import { parseInput } from "../admin/schemas";
import { createUserWithPassword } from "./auth";
import type { Runtime } from "./runtime";

export async function ensureAdminFromEnv(runtime: Runtime): Promise<void> {
  const { SWITCHYARD_ADMIN_EMAIL: email, SWITCHYARD_ADMIN_PASSWORD: password } = runtime.env;
  if (!email || !password || getUserByEmail({ email })) return;
  const user = await createUserWithPassword(runtime.auth, { email, name: email.split("@")[0]!, password, role: "admin" });
  runtime.log.info("created the first admin from the environment", { userId: user.id });
}

const setupSchema = z.strictObject({
  email: z.email().max(254),
  name: z.string().trim().min(1).max(128),
  password: z.string().min(8, "must be at least 8 characters").max(256),
});

export const needsSetup = (): boolean => countUsers() === 0;

// Two setup submissions racing must not both become admins; the check and the insert of the
// first one complete before the second is looked at.
let setupInFlight: Promise<unknown> | null = null;

export async function completeSetup(runtime: Runtime, input: unknown) {
  const body = parseInput(setupSchema, input);
  while (setupInFlight) await setupInFlight.catch(() => {});
  if (!needsSetup()) throw conflict("Setup is already done: sign in, or ask an admin for an account.");
  const creating = createUserWithPassword(runtime.auth, { ...body, role: "admin" });
  setupInFlight = creating;
  try {
    return await creating;
  } finally {
    setupInFlight = null;
  }
}
