/**
 * A throwaway redis-server for tests: a free loopback port, a temp folder, no persistence. It can
 * be stopped and started again on the same port, so tests can cut Redis away from the clients.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, beforeEach } from "vitest";

export interface TestRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Freezes the server (SIGSTOP): connections stay open but nothing answers, and no data is lost. */
  pause(): void;
  resume(): void;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ port, host: "127.0.0.1" });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

export async function startRedis(): Promise<TestRedis> {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-redis-"));
  const port = await freePort();
  let child: ChildProcess | null = null;

  const start = async () => {
    if (child) return;
    const args = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no"];
    const proc = spawn("/usr/bin/redis-server", args, { stdio: "ignore" });
    child = proc;
    const deadline = Date.now() + 20_000;
    while (!(await canConnect(port))) {
      if (proc.exitCode !== null) throw new Error(`redis-server exited with ${proc.exitCode}`);
      if (Date.now() > deadline) throw new Error("redis-server did not start");
      await new Promise((r) => setTimeout(r, 25));
    }
  };

  const stop = async () => {
    const proc = child;
    if (!proc) return;
    child = null;
    if (proc.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once("exit", () => resolve());
      proc.kill("SIGKILL");
      proc.kill("SIGCONT");
    });
  };

  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    start,
    stop,
    pause: () => child?.kill("SIGSTOP"),
    resume: () => child?.kill("SIGCONT"),
    close: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * One throwaway Redis for a test file: started before its tests, stopped after them with every
 * client it handed out, and emptied before each test unless `flushEach` is false.
 */
export function useRedis(opts: { flushEach?: boolean } = {}): () => Redis {
  let server: TestRedis;
  const clients: Redis[] = [];
  const client = () => {
    const c = new Redis(server.url);
    clients.push(c);
    return c;
  };
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.quit().catch(() => undefined)));
    await server.close();
  });
  if (opts.flushEach !== false) {
    beforeEach(async () => {
      await client().flushall();
    });
  }
  return client;
}
