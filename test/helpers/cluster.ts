/**
 * Several real gateway processes sharing one throwaway Postgres and one throwaway Redis, as the
 * README's "Running many instances" describes: same DATABASE_URL, REDIS_URL, secret and admin
 * token, each on its own loopback port. Instances can be killed and started again.
 */
import pg from "pg";
import { startPostgres, type TestPostgres } from "./postgres-server";
import { startRedis, type TestRedis } from "./redis-server";
import { startServer, type TestServer } from "./server";

export interface Cluster {
  postgres: TestPostgres;
  redis: TestRedis;
  databaseUrl: string;
  servers: TestServer[];
  /**
   * Starts one more instance with the cluster's settings, or, given a stopped instance's folder and
   * id, that instance again (its local files, such as the usage journal, are still there).
   */
  add(env?: Record<string, string>, dir?: string): Promise<TestServer>;
  /** Runs SQL on the shared database; bigint and count come back as numbers. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Waits until the usage table holds at least `n` rows (written behind the requests). */
  usageRows(n: number, timeoutMs?: number): Promise<Record<string, unknown>[]>;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  instances: number;
  env?: Record<string, string>;
}

// int8 and numeric as numbers: every amount here is integer micro-USD, well inside 2^53.
const types = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === 20 || oid === 1700) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format);
  },
};

let clusters = 0;

export async function startCluster(opts: ClusterOptions): Promise<Cluster> {
  const [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
  const databaseUrl = await postgres.createDatabase(`cluster${++clusters}`);
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2, types });
  const env = {
    DATABASE_URL: databaseUrl,
    REDIS_URL: redis.url,
    SWITCHYARD_REDIS_PREFIX: `c${clusters}:`,
    ...opts.env,
  };
  const servers: TestServer[] = [];
  let n = 0;
  const add = async (extra: Record<string, string> = {}, dir?: string) => {
    const server = await startServer({ env: { ...env, SWITCHYARD_INSTANCE_ID: `gw-${++n}`, ...extra }, dir });
    servers.push(server);
    return server;
  };
  try {
    // All at once: the migrations run under a lock, so exactly one instance applies them.
    await Promise.all(Array.from({ length: opts.instances }, () => add()));
  } catch (err) {
    await Promise.all(servers.map((s) => s.stop("SIGKILL")));
    await pool.end();
    await Promise.all([postgres.stop(), redis.close()]);
    throw err;
  }
  const query = async <T>(sql: string, params: unknown[] = []) => (await pool.query(sql, params)).rows as T[];
  return {
    postgres,
    redis,
    databaseUrl,
    servers,
    add,
    query,
    async usageRows(count, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const rows = await query<Record<string, unknown>>("select * from usage order by id");
        if (rows.length >= count || Date.now() > until) return rows;
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      await Promise.all(servers.map((s) => s.stop()));
      await pool.end();
      await Promise.all([postgres.stop(), redis.close()]);
    },
  };
}

/** Polls `fn` every 100 ms until it returns something truthy, or fails naming `what`. */
export async function until<T>(fn: () => Promise<T | null | undefined | false>, timeoutMs: number, what: string): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`${what}: not reached in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
