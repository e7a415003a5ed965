import { eq } from "drizzle-orm";
import { getDb } from "../client";
import { settings } from "../schema";

export function getSetting({ key }: { key: string }): string | undefined {
  return getDb().select({ value: settings.value }).from(settings).where(eq(settings.key, key)).get()?.value;
}

export function setSetting({ key, value, now }: { key: string; value: string; now: number }): void {
  getDb()
    .insert(settings)
    .values({ key, value, updatedAt: now })
    .onConflictDoUpdate({ target: settings.key, set: { value, updatedAt: now } })
    .run();
}
