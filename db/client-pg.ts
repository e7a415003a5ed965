/**
 * The Postgres client, used when DATABASE_URL names a Postgres server: drizzle over a pg Pool, with
 * the committed Postgres migrations (db/migrations-pg) applied before it is handed out.
 */
import { join } from "node:path";
import { drizzle, type NodePgDatabase } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import pg from "pg";
import * as schema from "./schema-pg";

export type PgDb = NodePgDatabase<typeof schema> & { $client: pg.Pool };

// Any fixed number works as long as nothing else on the server takes the same advisory lock; this
// one is "swyd" in ASCII.
const MIGRATION_LOCK = 0x73777964;

export interface OpenPgDbOptions {
  url: string;
  migrationsFolder?: string;
  /** Connections in the pool; pg's default is 10. */
  max?: number;
}

/**
 * Opens a pool on `url` and applies the migrations. Several instances may start at once against
 * one server: each waits its turn on a session advisory lock, so only one runs the migrations and
 * the rest find them applied (drizzle's migrator alone would race on creating its own table).
 */
export async function openPgDb({ url, migrationsFolder = join(process.cwd(), "db/migrations-pg"), max }: OpenPgDbOptions): Promise<PgDb> {
  const pool = new pg.Pool({ connectionString: url, max });
  try {
    await migrateUnderLock(pool, migrationsFolder);
  } catch (err) {
    await pool.end();
    throw err;
  }
  return drizzle({ client: pool, schema });
}

async function migrateUnderLock(pool: pg.Pool, migrationsFolder: string): Promise<void> {
  // The lock belongs to a session, so the lock, the migrations and the unlock share one connection.
  await underLock(pool, MIGRATION_LOCK, (conn) => migrate(drizzle({ client: conn, schema }), { migrationsFolder }));
}

/** Runs `fn` on one pooled connection holding the session advisory lock `key`. */
async function underLock<T>(pool: pg.Pool, key: number, fn: (conn: pg.PoolClient) => Promise<T>): Promise<T> {
  const conn = await pool.connect();
  let broken: Error | undefined;
  try {
    await conn.query("SELECT pg_advisory_lock($1)", [key]);
    try {
      return await fn(conn);
    } finally {
      await conn.query("SELECT pg_advisory_unlock($1)", [key]);
    }
  } catch (err) {
    // A connection in an unknown state (still holding the lock, say) is closed, not pooled.
    broken = err instanceof Error ? err : new Error(String(err));
    throw err;
  } finally {
    conn.release(broken);
  }
}

export async function closePgDb(db: PgDb): Promise<void> {
  await db.$client.end();
}

const KEY = Symbol.for("switchyard.pgdb");
type Holder = { [KEY]?: PgDb };

/** Makes `db` the client every Postgres query module uses (one per process, kept across hot reloads). */
export function setPgDb(db: PgDb): void {
  (globalThis as Holder)[KEY] = db;
}

export function getPgDb(): PgDb {
  const db = (globalThis as Holder)[KEY];
  if (!db) throw new Error("Postgres database not initialised: call setPgDb(await openPgDb({ url })) at start");
  return db;
}

export async function closePg(): Promise<void> {
  const db = (globalThis as Holder)[KEY];
  if (!db) return;
  // Forgotten first, so nothing picks up a pool that is shutting down.
  delete (globalThis as Holder)[KEY];
  await closePgDb(db);
}

/**
 * Runs `fn` while holding a session advisory lock named by `key`, so that one instance at a time
 * does a start-up step (seeding, creating the first admin) that must happen once.
 */
export function withStartupLock<T>(db: PgDb, key: number, fn: () => Promise<T>): Promise<T> {
  return underLock(db.$client, key, () => fn());
}
