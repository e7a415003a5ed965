/**
 * Both databases side by side for the query contract suites: a SQLite file and a throwaway
 * Postgres database, each migrated by its own client and set as its process's database, and the
 * query modules of each behind one shape, so a case written once runs against both (`await` takes
 * the SQLite modules' plain results as well as the Postgres ones' promises).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { closeDb, openDb, setDb } from "@/db/client";
import { closePg, openPgDb, setPgDb } from "@/db/client-pg";
import * as sqliteCache from "@/db/queries-sqlite/response-cache";
import * as sqliteUsage from "@/db/queries-sqlite/usage";
import * as sqliteReports from "@/db/queries-sqlite/usage-reports";
import * as sqliteRequests from "@/db/queries-sqlite/usage-requests";
import * as pgCache from "@/db/queries-pg/response-cache";
import * as pgUsage from "@/db/queries-pg/usage";
import * as pgReports from "@/db/queries-pg/usage-reports";
import * as pgRequests from "@/db/queries-pg/usage-requests";
import { startPostgres, type TestPostgres } from "./postgres-server";

type Either<S> = { [K in keyof S as S[K] extends (...args: never[]) => unknown ? K : never]: S[K] extends (...args: infer A) => infer R ? (...args: A) => R | Promise<Awaited<R>> : never };

export interface Dialect {
  name: "sqlite" | "postgres";
  usage: Either<typeof sqliteUsage>;
  reports: Either<Omit<typeof sqliteReports, "openRawUsageCursor">> & {
    openRawUsageCursor(args: { filter: sqliteReports.UsageFilter }): sqliteReports.RawUsageCursor | pgReports.AsyncRawUsageCursor;
  };
  requests: Either<typeof sqliteRequests>;
  cache: Either<typeof sqliteCache>;
}

export const dialects: Dialect[] = [
  { name: "sqlite", usage: sqliteUsage, reports: sqliteReports, requests: sqliteRequests, cache: sqliteCache },
  { name: "postgres", usage: pgUsage, reports: pgReports, requests: pgRequests, cache: pgCache },
];

/** Opens both databases and sets each as its process's database; the result closes them. */
export async function openBoth(): Promise<{ close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-dialects-"));
  // A file, not :memory:, so the SQLite raw cursor reads on its own connection as it does in use.
  setDb(openDb(join(dir, "switchyard.db")));
  let server: TestPostgres | undefined;
  try {
    server = await startPostgres();
    setPgDb(await openPgDb({ url: await server.createDatabase("contract") }));
  } catch (err) {
    closeDb();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    async close() {
      closeDb();
      await closePg();
      await server?.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Reads a cursor's rows, whichever kind of iterable they are. */
export function iterate<T>(rows: Iterable<T> | AsyncIterable<T>): AsyncIterator<T> {
  if (Symbol.asyncIterator in rows) return rows[Symbol.asyncIterator]();
  const it = rows[Symbol.iterator]();
  return { next: async () => it.next() };
}

export async function readAll<T>(rows: Iterable<T> | AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const row of rows) out.push(row);
  return out;
}
