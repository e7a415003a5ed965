/**
 * `npm start` stopped the way systemd, Docker and Kubernetes stop it: SIGTERM to the whole process
 * group, npm included, under steady load. npm forwards the signal, the server gets it twice, drains
 * and flushes its queued usage rows; npm exits only after the server has. Every request that got an
 * answer has its usage row.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type TestServer } from "../../helpers/server";
import { chatRequest, runLoops, simulatorSetup } from "./helpers";

const LOOPS = 8;
// Answers before the signal: enough that rows are certainly queued (flushed once a second here).
const ANSWERED_BEFORE_SIGNAL = 150;
const FAST = { ttftMs: 2, tokensPerSecond: 5000, outputTokens: 8 };
// A stream of about half a second: some are always mid-stream when the signal comes.
const STREAM = { ttftMs: 20, tokensPerSecond: 40, outputTokens: 20 };

let dir: string;
let server: TestServer;
let key: string;

beforeAll(async () => {
  // A long flush window, so the rows of a whole second of traffic wait in memory at the signal.
  dir = mkdtempSync(join(tmpdir(), "switchyard-sigterm-group-"));
  server = await startServer({ dir, npmStart: true, env: { SWITCHYARD_USAGE_FLUSH_MS: "1000", SWITCHYARD_SHUTDOWN_GRACE_MS: "15000" } });
  ({ key } = await simulatorSetup(server, { fast: FAST, stream: STREAM }));
});

afterAll(async () => {
  // Whatever is left of the group, should the test have failed before stopping it.
  try {
    if (server) process.kill(-server.proc.pid!, "SIGKILL");
  } catch {
    // Already gone.
  }
  await server?.stop("SIGKILL");
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The pids of a process's children, from /proc (Linux). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const task of readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/)) if (task) out.push(Number(task));
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("SIGTERM to the process group of `npm start`", () => {
  it("loses no usage row of an answered request, and npm outlives the server", { timeout: 90_000 }, async () => {
    const npmPid = server.proc.pid!;
    // `exec` in the start script makes node npm's own child: no shell in between to die first.
    const [serverPid, ...others] = childrenOf(npmPid);
    expect(others).toEqual([]);
    expect(readFileSync(`/proc/${serverPid}/cmdline`, "utf8").split("\0")[0]).toMatch(/node$/);

    const answered: { id: string; status: number }[] = [];
    const failures: string[] = [];
    let signalled = false;
    let signalAt = 0;
    let serverGoneWhenNpmExited: boolean | null = null;
    const npmExit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      server.proc.once("exit", (code, signal) => {
        serverGoneWhenNpmExited = !alive(serverPid!);
        resolve({ code, signal });
      }),
    );
    let markReady!: () => void;
    const ready = new Promise<void>((r) => (markReady = r));

    const load = runLoops(LOOPS, 60_000, 10_000, async (loop) => {
      if (signalled && failures.length > 0) return;
      try {
        const stream = loop % 4 === 0;
        const res = await chatRequest(server.url, key, { model: stream ? "stream" : "fast", stream });
        await res.text();
        answered.push({ id: res.headers.get("x-request-id")!, status: res.status });
        if (answered.length >= ANSWERED_BEFORE_SIGNAL) markReady();
      } catch (err) {
        // Refused or reset once the listener has closed: such a request was never answered.
        if (!signalled) throw err;
        failures.push(String((err as { cause?: { code?: string } }).cause?.code ?? err));
      }
    });

    // The load's own failure (before the signal) ends the wait too.
    await Promise.race([ready, load]);
    const answeredAtSignal = answered.length;
    signalAt = Date.now();
    signalled = true;
    process.kill(-npmPid, "SIGTERM");
    const { code, signal } = await npmExit;
    const stoppedAfterMs = Date.now() - signalAt;
    await load;

    const db = server.db();
    const rows = db.prepare("select request_id, status from usage").all() as { request_id: string; status: string }[];
    const byId = new Map(rows.map((r) => [r.request_id, r.status]));
    const missing = answered.filter((a) => !byId.has(a.id));
    console.info(
      `[sigterm-group] ${answeredAtSignal} answered before the signal, ${answered.length} in all; ` +
        `${rows.length} usage rows; ${missing.length} answered without a row; npm exited ${stoppedAfterMs} ms after the signal ` +
        `(code ${code}, signal ${signal}); ${failures.length} requests not served after it (${[...new Set(failures)].join(", ")})`,
    );

    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(serverGoneWhenNpmExited).toBe(true);
    expect(answered.every((a) => a.status === 200)).toBe(true);
    expect(missing).toEqual([]);
    for (const a of answered) expect(byId.get(a.id)).toBe("ok");
    // No row for a request nobody answered, either.
    expect(rows.length).toBe(answered.length);
  });
});
