import { pgTable, text, json } from "drizzle-orm/pg-core";
import { bigintNumber } from "./columns";

/** Upstreams the gateway calls. The API key is AES-256-GCM ciphertext; only its last 4 chars are kept in clear. */
export const providers = pgTable("providers", {
  id: text("id").primaryKey(),
  name: text("name").notNull().unique(),
  /** A provider kind the gateway has an adapter for (lib/gateway/providers/kinds.ts). */
  kind: text("kind").notNull(),
  baseUrl: text("base_url"),
  apiKeyCiphertext: text("api_key_ciphertext"),
  apiKeyLast4: text("api_key_last4"),
  /** JSON: timeouts and retry settings (see lib/gateway/types ProviderSettings). */
  settings: json("settings").$type<Record<string, unknown>>().notNull().default({}),
  createdAt: bigintNumber("created_at").notNull(),
  updatedAt: bigintNumber("updated_at").notNull(),
});

export type ProviderRow = typeof providers.$inferSelect;
export type NewProviderRow = typeof providers.$inferInsert;
