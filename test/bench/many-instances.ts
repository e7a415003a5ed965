/**
 * The bench's "many instances" phase: the gateway on Postgres (DATABASE_URL) with its shared state
 * in Redis (REDIS_URL), first one instance, then two on the same database and Redis behind one
 * port (round-robin-proxy.ts), each compared with a direct run at the same rate.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startPostgres, type TestPostgres } from "../helpers/postgres-server";
import { startRedis, type TestRedis } from "../helpers/redis-server";
import type { LoadResult } from "./load";
import { freePort, startChild, type Child } from "./processes";
import { checkTarget, configureGateway, routeAlias, type BenchTarget } from "./setup";

/** One row of the section: a gateway run beside the direct run it is compared with. */
export interface InstancesRow {
  label: string;
  direct: LoadResult | null;
  gateway: LoadResult | null;
  /** Why the row has no gateway numbers (a process that did not start, a load run that crashed). */
  failure?: string;
  /** Per backend behind the proxy: connections it was given and requests sent on them. */
  backends?: Array<{ target: string; connections: number; requests: number }>;
}

export interface ManyInstances {
  rate: number;
  rows: InstancesRow[];
}

export interface PhaseOptions {
  simulator: string;
  models: string[];
  /** What `npm start` runs and the variables every gateway gets. */
  entry: string;
  nodeFlags: string[];
  env: Record<string, string>;
  model: string;
  /** Runs the fixed-rate scenario against a target; `warm` is a short closed-loop warm-up instead. */
  load(target: BenchTarget, warm: boolean): Promise<LoadResult>;
  log(line: string): void;
}

const LABELS = ["Postgres + Redis, one instance", "Postgres + Redis, one instance via the proxy", "Postgres + Redis, two instances via the proxy"] as const;

const message = (err: unknown) => (err instanceof Error ? err.message : String(err)).split("\n")[0]!.slice(0, 300);

async function startGateway(opts: PhaseOptions, env: Record<string, string>, name: string): Promise<{ child: Child; url: string }> {
  const port = await freePort();
  const { child } = await startChild({
    name,
    script: opts.entry,
    nodeArgs: opts.nodeFlags,
    env: { ...process.env, ...opts.env, ...env, PORT: String(port), SWITCHYARD_INSTANCE_ID: name },
    ready: /Switchyard listening on (http:\/\/\S+)/,
    timeoutMs: 120_000,
  });
  return { child, url: `http://127.0.0.1:${port}` };
}

async function startProxy(backends: string[]): Promise<{ child: Child; url: string }> {
  const { child, match } = await startChild({
    name: "proxy",
    script: "test/bench/round-robin-proxy.ts",
    args: backends.flatMap((b) => ["--backend", new URL(b).host]),
    env: process.env,
    ready: /Proxy listening on (http:\/\/\S+)/,
    timeoutMs: 30_000,
  });
  return { child, url: match[1]! };
}

/** Stops the proxy and reads the per-backend counts it prints on SIGTERM. */
async function stopProxy(proxy: Child): Promise<InstancesRow["backends"]> {
  await proxy.stop(5_000);
  const line = /proxy stats (.*)/.exec(proxy.output())?.[1];
  return line ? (JSON.parse(line) as InstancesRow["backends"]) : undefined;
}

/** Runs one measured row; a failure becomes the row's `failure` instead of ending the phase. */
async function measure(opts: PhaseOptions, row: InstancesRow, target: BenchTarget, warmTarget = target): Promise<void> {
  try {
    await checkTarget(warmTarget, row.label, opts.model, false);
    await opts.load(warmTarget, true);
    row.gateway = await opts.load(target, false);
    const g = row.gateway;
    opts.log(`${row.label}: ${g.requests} req, ${g.errors} err, ${g.rps} req/s, p50 ${g.p50} ms, p99 ${g.p99} ms, ${g.sockets} client connections`);
  } catch (err) {
    row.failure = message(err);
    opts.log(`${row.label}: failed: ${row.failure}`);
  }
}

export async function runManyInstances(opts: PhaseOptions, rate: number): Promise<ManyInstances> {
  const rows: InstancesRow[] = [];
  const dir = mkdtempSync(join(tmpdir(), "switchyard-bench-shared-"));
  let postgres: TestPostgres | undefined;
  let redis: TestRedis | undefined;
  const children: Child[] = [];
  try {
    opts.log("many instances: starting Postgres and Redis");
    postgres = await startPostgres();
    redis = await startRedis();
    const adminToken = randomBytes(16).toString("hex");
    const env = {
      DATABASE_URL: await postgres.createDatabase("bench"),
      REDIS_URL: redis.url,
      SWITCHYARD_SECRET: randomBytes(16).toString("hex"),
      SWITCHYARD_ADMIN_TOKEN: adminToken,
      HOSTNAME: "127.0.0.1",
    };
    const journal = (name: string) => ({ SWITCHYARD_USAGE_JOURNAL_DIR: join(dir, `journal-${name}`) });

    // The direct baseline again, right before: the machine may not be where it was for the SQLite row.
    const direct = await opts.load({ base: opts.simulator }, false);
    opts.log(`direct → simulator: ${direct.requests} req, ${direct.errors} err, p50 ${direct.p50} ms, p99 ${direct.p99} ms`);
    const row = (label: string): InstancesRow => {
      const r: InstancesRow = { label, direct, gateway: null };
      rows.push(r);
      return r;
    };

    const one = row(LABELS[0]);
    let key: string | undefined;
    try {
      const gw = await startGateway(opts, { ...env, ...journal("a") }, "bench-a");
      children.push(gw.child);
      // The key's team has RPM/TPM limits and daily/monthly budgets (setup.ts), so every request
      // goes through the Redis admission script and takes a budget hold there.
      key = (await configureGateway({ gateway: gw.url, adminToken, simulator: opts.simulator, models: opts.models })).key;
      await measure(opts, one, { base: gw.url, key, modelFor: routeAlias });
      await gw.child.stop();
    } catch (err) {
      one.failure ??= message(err);
      opts.log(`${one.label}: failed: ${one.failure}`);
    }

    const viaOne = row(LABELS[1]);
    const viaTwo = row(LABELS[2]);
    if (!key) {
      viaOne.failure = viaTwo.failure = "not run: the one-instance gateway could not be configured";
      return { rate, rows };
    }
    try {
      // The same database and Redis, already configured: the second instance shares the key and the limits.
      const [a, b] = await Promise.all(["bench-a", "bench-b"].map((name) => startGateway(opts, { ...env, ...journal(name) }, name)));
      children.push(a!.child, b!.child);
      for (const [r, backends] of [[viaOne, [a!.url]], [viaTwo, [a!.url, b!.url]]] as const) {
        // A proxy of its own for the check and the warm-up, so the measured one counts only the measured run.
        const warm = await startProxy([...backends]);
        const proxy = await startProxy([...backends]);
        children.push(warm.child, proxy.child);
        await measure(opts, r, { base: proxy.url, key, modelFor: routeAlias }, { base: warm.url, key, modelFor: routeAlias });
        await warm.child.stop();
        r.backends = await stopProxy(proxy.child);
        if (r.backends) opts.log(`${r.label}: ${r.backends.map((x) => `${x.target} ${x.connections} connections, ~${x.requests} requests`).join("; ")}`);
      }
    } catch (err) {
      for (const r of [viaOne, viaTwo]) if (!r.gateway) r.failure ??= message(err);
      opts.log(`two instances: failed: ${message(err)}`);
    }
    return { rate, rows };
  } catch (err) {
    // Postgres or Redis did not start, or the direct run failed: every row says so.
    const why = message(err);
    opts.log(`many instances: failed: ${why}`);
    for (const label of LABELS) if (!rows.some((r) => r.label === label)) rows.push({ label, direct: null, gateway: null, failure: why });
    return { rate, rows };
  } finally {
    for (const child of children.reverse()) await child.stop();
    await redis?.close();
    await postgres?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
