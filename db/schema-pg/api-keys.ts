import { pgTable, text, integer, index, uniqueIndex } from "drizzle-orm/pg-core";
import { bigintNumber } from "./columns";
import { teams } from "./teams";

/** Team API keys: only the SHA-256 of the key and a short display prefix are stored. */
export const apiKeys = pgTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    teamId: text("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    prefix: text("prefix").notNull(),
    keyHash: text("key_hash").notNull(),
    rpmLimit: integer("rpm_limit"),
    createdAt: bigintNumber("created_at").notNull(),
    revokedAt: bigintNumber("revoked_at"),
    /** The key stops working at this instant; null never expires. Rotation sets it to the end of the grace period. */
    expiresAt: bigintNumber("expires_at"),
    /** The key that took this one's place when it was rotated. */
    replacedById: text("replaced_by_id"),
  },
  (t) => [
    // getApiKeyByHash: authentication of every API request
    uniqueIndex("api_keys_hash_idx").on(t.keyHash),
    // listKeysByTeam
    index("api_keys_team_idx").on(t.teamId),
  ],
);

export type ApiKeyRow = typeof apiKeys.$inferSelect;
export type NewApiKeyRow = typeof apiKeys.$inferInsert;
