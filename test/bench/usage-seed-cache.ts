/**
 * A seeded usage database built once and kept in the system's temp folder, so a test that needs a
 * million rows pays for seeding on its first run only. The file is named by a hash of the shape,
 * the seeder and the migrations: change any of them and the next run seeds afresh.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { openDb, type Db } from "../../db/client";
import * as schema from "../../db/schema";
import { seedUsage, type SeedShape } from "./usage-seed";

const PREFIX = "switchyard-usage-seed-";

function cacheKey(shape: SeedShape, migrationsFolder: string): string {
  const hash = createHash("sha256").update(JSON.stringify(shape));
  hash.update(readFileSync(fileURLToPath(new URL("./usage-seed.ts", import.meta.url))));
  for (const name of readdirSync(migrationsFolder, { recursive: true, encoding: "utf8" }).sort()) {
    if (name.endsWith(".sql")) hash.update(name).update(readFileSync(join(migrationsFolder, name)));
  }
  return hash.digest("hex").slice(0, 16);
}

/** An in-memory database holding the seeded rows: seeded now, or read from the file an earlier run left. */
export function seededUsageDb(shape: SeedShape, migrationsFolder = join(process.cwd(), "db/migrations")): Db {
  const name = `${PREFIX}${cacheKey(shape, migrationsFolder)}.db`;
  const path = join(tmpdir(), name);
  if (existsSync(path)) {
    const sqlite = new Database(readFileSync(path));
    sqlite.pragma("foreign_keys = ON");
    return drizzle(sqlite, { schema }) as Db;
  }
  const db = openDb(":memory:", migrationsFolder);
  seedUsage(db.$client, shape);
  // Files from an older seeder or schema are a gigabyte each and never read again.
  for (const old of readdirSync(tmpdir())) if (old.startsWith(PREFIX) && old.endsWith(".db") && old !== name) rmSync(join(tmpdir(), old), { force: true });
  // Written aside and renamed, so a run that stops halfway never leaves half a database to read.
  const partial = `${path}.${process.pid}.partial`;
  writeFileSync(partial, db.$client.serialize());
  renameSync(partial, path);
  return db;
}
