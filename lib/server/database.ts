/**
 * Opens the database the environment names: Postgres when DATABASE_URL is set, else the SQLite
 * file at DATABASE_PATH. Either way the query facades (db/queries) follow it, and the migrations
 * are applied before anything reads.
 */
import { closeDb, getDb, openDb, setDb, type Db } from "@/db/client";
import { useSqlite } from "@/db/dialect";
import type { PgDb } from "@/db/client-pg";
import type { Env } from "../env";

export interface Database {
  kind: "sqlite" | "pg";
  /** The drizzle client, for the sign-in library's adapter. */
  client: Db | PgDb;
  /** Runs a start-up step that must happen once, one instance at a time (a no-op lock on SQLite, which one process owns). */
  once<T>(fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

// "swys" in ASCII: the start-up steps' lock, apart from the migrations' own.
const STARTUP_LOCK = 0x73777973;

export async function openDatabase(env: Env): Promise<Database> {
  if (!env.DATABASE_URL) {
    setDb(openDb(env.DATABASE_PATH));
    useSqlite();
    return { kind: "sqlite", client: getDb(), once: (fn) => fn(), close: async () => closeDb() };
  }
  // Loaded only here: a SQLite process never loads the Postgres driver.
  const [{ openPgDb, setPgDb, closePg, withStartupLock }, { pgQueries }, { usePostgres }] = await Promise.all([
    import("@/db/client-pg"),
    import("@/db/queries-pg"),
    import("@/db/dialect"),
  ]);
  const db = await openPgDb({ url: env.DATABASE_URL });
  setPgDb(db);
  usePostgres(pgQueries);
  return { kind: "pg", client: db, once: (fn) => withStartupLock(db, STARTUP_LOCK, fn), close: closePg };
}
