import { sqliteTable, text, integer } from "drizzle-orm/sqlite-core";

/** Upstreams the gateway calls. The API key is AES-256-GCM ciphertext; only its last 4 chars are kept in clear. */
export const providers = sqliteTable("providers", {
  id: text("id").primaryKey(),
  name: text("name").notNull().unique(),
  /** A provider kind the gateway has an adapter for (lib/gateway/providers/kinds.ts). */
  kind: text("kind").notNull(),
  baseUrl: text("base_url"),
  apiKeyCiphertext: text("api_key_ciphertext"),
  apiKeyLast4: text("api_key_last4"),
  /** JSON: timeouts and retry settings (see lib/gateway/types ProviderSettings). */
  settings: text("settings", { mode: "json" }).$type<Record<string, unknown>>().notNull().default({}),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

export type ProviderRow = typeof providers.$inferSelect;
export type NewProviderRow = typeof providers.$inferInsert;
