/** Server-wide key/value state on Postgres: the twin of db/queries/settings.ts. */
import { eq } from "drizzle-orm";
import { getPgDb } from "../client-pg";
import { settings } from "../schema-pg";

export async function getSetting({ key }: { key: string }): Promise<string | undefined> {
  const [row] = await getPgDb().select({ value: settings.value }).from(settings).where(eq(settings.key, key));
  return row?.value;
}

export async function setSetting({ key, value, now }: { key: string; value: string; now: number }): Promise<void> {
  await getPgDb()
    .insert(settings)
    .values({ key, value, updatedAt: now })
    .onConflictDoUpdate({ target: settings.key, set: { value, updatedAt: now } });
}

import type * as sqlite from "../queries/settings";
import type { AsyncTwin } from "./twin";
export type _Twin = AsyncTwin<typeof sqlite, typeof import("./settings")>;
