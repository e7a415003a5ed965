import { pgTable, text, integer, json, index } from "drizzle-orm/pg-core";
import { bigintNumber } from "./columns";
import { providers } from "./providers";

/** A model name clients may ask for, mapped to one provider's upstream model, with prices in micro-USD per million tokens. */
export const models = pgTable(
  "models",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull().unique(),
    providerId: text("provider_id")
      .notNull()
      .references(() => providers.id, { onDelete: "restrict" }),
    upstreamModel: text("upstream_model").notNull(),
    inputMicrosPerMTok: bigintNumber("input_micros_per_mtok").notNull(),
    outputMicrosPerMTok: bigintNumber("output_micros_per_mtok").notNull(),
    maxOutputTokens: integer("max_output_tokens"),
    /** "both", "max_tokens" or "max_completion_tokens": the output-limit field(s) the upstream accepts. */
    maxTokensField: text("max_tokens_field", { enum: ["both", "max_tokens", "max_completion_tokens"] }).notNull().default("both"),
    rpmLimit: integer("rpm_limit"),
    tpmLimit: integer("tpm_limit"),
    /** JSON array of model names tried in order when this one fails before the first byte. */
    fallbacks: json("fallbacks").$type<string[]>().notNull().default([]),
    /** JSON array of what the model serves: "chat" (chat completions, the Responses API), "embeddings". */
    endpoints: json("endpoints").$type<Array<"chat" | "embeddings">>().notNull().default(["chat"]),
    /** JSON: per-model behaviour of the built-in simulator (ignored for other provider kinds). */
    simulator: json("simulator").$type<Record<string, unknown>>(),
    createdAt: bigintNumber("created_at").notNull(),
    updatedAt: bigintNumber("updated_at").notNull(),
  },
  (t) => [
    // listModelsByProvider / refusing to delete a provider still in use
    index("models_provider_idx").on(t.providerId),
  ],
);

export type ModelRow = typeof models.$inferSelect;
export type NewModelRow = typeof models.$inferInsert;
