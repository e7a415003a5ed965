/**
 * The two databases a contract test runs the same cases against: SQLite in memory through the real
 * migrations, and a throwaway Postgres server with its migrations. Each gives the query modules as
 * one object; the SQLite ones answer synchronously, and `await` reads both alike.
 */
import { getTableName, is, sql } from "drizzle-orm";
import { PgTable } from "drizzle-orm/pg-core";
import { closeDb, getDb, openDb, setDb } from "@/db/client";
import { closePg, getPgDb, openPgDb, setPgDb } from "@/db/client-pg";
import * as sqliteApiKeys from "@/db/queries-sqlite/api-keys";
import * as sqliteAuth from "@/db/queries-sqlite/auth";
import * as sqliteCatalog from "@/db/queries-sqlite/catalog";
import * as sqliteConversations from "@/db/queries-sqlite/conversations";
import * as sqliteEvents from "@/db/queries-sqlite/events";
import * as sqliteModels from "@/db/queries-sqlite/models";
import * as sqliteNotifications from "@/db/queries-sqlite/notifications";
import * as sqliteProviders from "@/db/queries-sqlite/providers";
import * as sqliteRoutes from "@/db/queries-sqlite/routes";
import * as sqliteSettings from "@/db/queries-sqlite/settings";
import * as sqliteTeams from "@/db/queries-sqlite/teams";
import * as sqliteUsage from "@/db/queries-sqlite/usage";
import * as sqliteUsers from "@/db/queries-sqlite/users";
import * as apiKeys from "@/db/queries-pg/api-keys";
import * as auth from "@/db/queries-pg/auth";
import * as catalog from "@/db/queries-pg/catalog";
import * as conversations from "@/db/queries-pg/conversations";
import * as events from "@/db/queries-pg/events";
import * as models from "@/db/queries-pg/models";
import * as notifications from "@/db/queries-pg/notifications";
import * as providers from "@/db/queries-pg/providers";
import * as routes from "@/db/queries-pg/routes";
import * as settings from "@/db/queries-pg/settings";
import * as teams from "@/db/queries-pg/teams";
import * as pgUsage from "@/db/queries-pg/usage";
import * as users from "@/db/queries-pg/users";
import * as sqliteSchema from "@/db/schema";
import type { NewUsageRow } from "@/db/schema";
import * as pgSchema from "@/db/schema-pg";
import { startPostgres, type TestPostgres } from "./postgres-server";

const pgStore = { apiKeys, auth, catalog, conversations, events, models, notifications, providers, routes, settings, teams, users };
// The Postgres modules' types: the SQLite ones' results, as promises (db/queries-pg/twin.ts checks it).
export type Store = typeof pgStore;

const sqliteStore = {
  apiKeys: sqliteApiKeys, auth: sqliteAuth, catalog: sqliteCatalog, conversations: sqliteConversations, events: sqliteEvents,
  models: sqliteModels, notifications: sqliteNotifications, providers: sqliteProviders, routes: sqliteRoutes,
  settings: sqliteSettings, teams: sqliteTeams, users: sqliteUsers,
} as unknown as Store;

export interface TestUser {
  id: string;
  email: string;
  name: string;
}

export interface Dialect {
  name: "SQLite" | "Postgres";
  store: Store;
  /** Opens the database; once per file. */
  open(): Promise<void>;
  /** Empties every table and restarts the ids, so each case starts from nothing. */
  reset(): Promise<void>;
  close(): Promise<void>;
  /** Rows no query module writes: people come from the auth library, usage from the usage writer. */
  addUser(user: TestUser): Promise<void>;
  addUsage(rows: NewUsageRow[]): Promise<void>;
}

const userRow = (u: TestUser) => ({ ...u, createdAt: new Date(1_000), updatedAt: new Date(1_000) });

export const sqliteDialect: Dialect = {
  name: "SQLite",
  store: sqliteStore,
  async open() {
    setDb(openDb(":memory:"));
  },
  async reset() {
    closeDb();
    setDb(openDb(":memory:"));
  },
  async close() {
    closeDb();
  },
  async addUser(user) {
    getDb().insert(sqliteSchema.users).values(userRow(user)).run();
  },
  async addUsage(rows) {
    sqliteUsage.insertUsageBatch(rows);
  },
};

let server: TestPostgres | undefined;
const pgTables = Object.values(pgSchema).filter((t: unknown): t is PgTable => is(t, PgTable));

export const postgresDialect: Dialect = {
  name: "Postgres",
  store: pgStore,
  async open() {
    server = await startPostgres();
    setPgDb(await openPgDb({ url: await server.createDatabase("store") }));
  },
  async reset() {
    await getPgDb().execute(sql.raw(`truncate ${pgTables.map((t) => `"${getTableName(t)}"`).join(", ")} restart identity cascade`));
  },
  async close() {
    await closePg();
    await server?.stop();
    server = undefined;
  },
  async addUser(user) {
    await getPgDb().insert(pgSchema.users).values(userRow(user));
  },
  async addUsage(rows) {
    await pgUsage.insertUsageBatch(getPgDb(), rows);
  },
};

export const dialects = [sqliteDialect, postgresDialect];

/** The text of a failure and of what caused it: drizzle wraps a Postgres error in one of its own. */
export async function failureOf(run: () => unknown): Promise<string> {
  try {
    await run();
  } catch (err) {
    const texts: string[] = [];
    for (let e: unknown = err; e instanceof Error; e = e.cause) texts.push(e.message);
    return texts.join(" / ");
  }
  throw new Error("expected a failure, but it succeeded");
}
