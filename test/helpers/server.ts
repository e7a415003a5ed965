/**
 * Starts the real built server on a free loopback port with a fresh database: the compiled entry
 * with the flags of `npm start` (start-command.ts), or `npm start` itself in its own process group.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { startCommand } from "./start-command";

export const ADMIN_TOKEN = "test-admin-token-0123456789abcdef";

export interface TestServer {
  url: string;
  dbPath: string;
  dir: string;
  output: () => string;
  admin: (path: string, init?: RequestInit & { json?: unknown }) => Promise<Response>;
  /** Opens the database read-only (the server keeps writing). */
  db: () => Database.Database;
  /** Waits until the usage table holds at least `n` rows (rows are written behind requests). */
  usageRows: (n: number, timeoutMs?: number) => Promise<Record<string, unknown>[]>;
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
  proc: ChildProcess;
}

export interface StartOptions {
  env?: Record<string, string>;
  dir?: string;
  /**
   * Run `npm start` as a service manager would: npm leads a process group of its own (signal it
   * with `process.kill(-proc.pid)`) and the server is its child.
   */
  npmStart?: boolean;
}

export async function startServer(opts: StartOptions = {}): Promise<TestServer> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), "switchyard-test-"));
  const dbPath = join(dir, "switchyard.db");
  const start = startCommand();
  const [cmd, args] = opts.npmStart ? ["npm", ["start"]] : [process.execPath, [...start.nodeFlags, start.entry]];
  const proc = spawn(cmd, args, {
    cwd: process.cwd(),
    detached: opts.npmStart === true,
    env: {
      ...process.env,
      ...start.env,
      NEXT_TELEMETRY_DISABLED: "1",
      PORT: "0",
      HOSTNAME: "127.0.0.1",
      DATABASE_PATH: dbPath,
      SWITCHYARD_ADMIN_TOKEN: ADMIN_TOKEN,
      SWITCHYARD_SECRET: "test-secret-0123456789abcdef0123",
      SWITCHYARD_DEMO: "0",
      SWITCHYARD_USAGE_FLUSH_MS: "20",
      // Vitest sets TEST=true, which the auth library reads as "skip origin checks": not here.
      TEST: "",
      SWITCHYARD_LOG_LEVEL: "warn",
      // Suites sign in far more often than a person would; the sign-in limits have their own test.
      SWITCHYARD_SIGNIN_MAX_ATTEMPTS: "1000",
      SWITCHYARD_SIGNIN_IP_MAX_ATTEMPTS: "1000",
      ...opts.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  proc.stdout!.on("data", (d) => (out += d));
  proc.stderr!.on("data", (d) => (out += d));

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 60_000);
    const check = () => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!.replace("localhost", "127.0.0.1"));
      }
    };
    proc.stdout!.on("data", check);
    proc.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}`));
    });
  });

  let ro: Database.Database | null = null;
  const db = () => (ro ??= new Database(dbPath, { readonly: true, fileMustExist: true }));

  return {
    url,
    dbPath,
    dir,
    proc,
    output: () => out,
    db,
    admin: (path, init = {}) => {
      const { json, ...rest } = init;
      return fetch(url + path, {
        ...rest,
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(json !== undefined ? { "content-type": "application/json" } : {}), ...(rest.headers ?? {}) },
        body: json !== undefined ? JSON.stringify(json) : rest.body,
      });
    },
    async usageRows(n, timeoutMs = 5000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const rows = db().prepare("select * from usage order by id").all() as Record<string, unknown>[];
        if (rows.length >= n || Date.now() > until) return rows;
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async stop(signal = "SIGTERM") {
      ro?.close();
      ro = null;
      // Gone already (exited, or killed by a signal): nothing to wait for, but its files still go.
      if (proc.exitCode !== null || proc.signalCode !== null) {
        if (!opts.dir) rmSync(dir, { recursive: true, force: true });
        return proc.exitCode;
      }
      const exited = new Promise<number | null>((r) => proc.once("exit", (code) => r(code)));
      proc.kill(signal);
      const code = await exited;
      if (!opts.dir) rmSync(dir, { recursive: true, force: true });
      return code;
    },
  };
}
