import Database from "better-sqlite3";
import { drizzle, type BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { chmodSync, closeSync, mkdirSync, openSync } from "node:fs";
import { dirname, join } from "node:path";
import * as schema from "./schema";

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

const KEY = Symbol.for("switchyard.db");
type Holder = { [KEY]?: Db };

/**
 * The database holds password hashes, sessions and key hashes: only the server's own user may read
 * it. A folder we create is 0700; an existing one is left as the operator made it (it may be a
 * mounted volume shared on purpose), since the files in it are 0600 either way. SQLite creates the
 * -wal and -shm files with the main file's mode, so the main file is made 0600 before it is opened;
 * ones left by an earlier version are tightened too.
 */
function restrictFiles(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  closeSync(openSync(path, "a", 0o600));
  for (const suffix of ["-wal", "-shm"]) tightenIfPresent(path + suffix);
  chmodSync(path, 0o600);
}

function tightenIfPresent(file: string): void {
  try {
    chmodSync(file, 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
}

/** Opens (creating if needed) the database file in WAL mode and applies the committed migrations. */
export function openDb(path: string, migrationsFolder = join(process.cwd(), "db/migrations")): Db {
  if (path !== ":memory:") restrictFiles(path);
  const sqlite = new Database(path);
  sqlite.pragma("journal_mode = WAL");
  // NORMAL is durable across process crashes in WAL mode; only an OS crash can lose the last commits.
  sqlite.pragma("synchronous = NORMAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  // The usage table carries five covering indexes; each batch of rows touches pages in all of them.
  // A 64 MiB page cache, reads through mmap and fewer, larger checkpoints took the usage writer
  // from 19,000 to 23,500 rows/s (test/bench/usage-writer-bench.ts).
  sqlite.pragma("cache_size = -65536");
  sqlite.pragma("mmap_size = 268435456");
  sqlite.pragma("wal_autocheckpoint = 10000");
  const db = drizzle(sqlite, { schema }) as Db;
  migrate(db, { migrationsFolder });
  return db;
}

/** Makes `db` the client every query module uses (one per process, kept across hot reloads). */
export function setDb(db: Db): void {
  (globalThis as Holder)[KEY] = db;
}

export function getDb(): Db {
  const db = (globalThis as Holder)[KEY];
  if (!db) throw new Error("database not initialised: call setDb(openDb(path)) at start");
  return db;
}

export function closeDb(): void {
  const db = (globalThis as Holder)[KEY];
  if (db) {
    db.$client.close();
    delete (globalThis as Holder)[KEY];
  }
}
