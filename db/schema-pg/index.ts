/**
 * The Postgres schema: the same tables, columns, TS keys and indexes as db/schema (SQLite), so the
 * same queries read the same rows from either. SQLite's 64-bit INTEGER becomes bigint read as a
 * number where a value can pass 2^31 (epoch ms, micro-USD, ids) and integer elsewhere; REAL becomes
 * double precision; JSON text becomes `json`, not `jsonb`: jsonb reorders an object's keys and drops
 * duplicate keys, so a message's parts would read back in another key order than they were written
 * and than SQLite returns them, while json keeps the text as written and still has ->> and
 * json_array_elements for the queries that look inside.
 */
export * from "./providers";
export * from "./models";
export * from "./teams";
export * from "./api-keys";
export * from "./usage";
export * from "./events";
export * from "./settings";
export * from "./routes";
export * from "./users";
export * from "./sessions";
export * from "./accounts";
export * from "./verifications";
export * from "./team-members";
export * from "./conversations";
export * from "./messages";
export * from "./response-cache";
export * from "./notification-reads";
