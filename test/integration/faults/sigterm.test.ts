/**
 * SIGTERM mid-stream: the listener closes at once, streams already running finish with [DONE]
 * inside the grace period, the process exits 0, and every answered request has its usage row.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type TestServer } from "../../helpers/server";
import { parseSse } from "../resilience/helpers";
import { chatRequest, exited, runLoops, simulatorSetup, sleep } from "./helpers";

const GRACE_MS = 10_000;
const SLOW_STREAMS = 4;
const PENDING = 8;
const PENDING_LEAD_MS = 500;
// 40 tokens at 20 tokens/s: each slow stream lasts about two seconds.
const SLOW = { ttftMs: 20, tokensPerSecond: 20, outputTokens: 40 };
const FAST = { ttftMs: 5, tokensPerSecond: 5000, outputTokens: 8 };
// Answers a second after it is asked: in flight when the signal comes PENDING_LEAD_MS later.
const PENDING_PROFILE = { ttftMs: 1000, tokensPerSecond: 5000, outputTokens: 8 };

let dir: string;
let server: TestServer;
let key: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "switchyard-sigterm-"));
  server = await startServer({ dir, env: { SWITCHYARD_SHUTDOWN_GRACE_MS: String(GRACE_MS), SWITCHYARD_USAGE_FLUSH_MS: "200" } });
  ({ key } = await simulatorSetup(server, { slow: SLOW, fast: FAST, pending: PENDING_PROFILE }));
});

afterAll(async () => {
  await server?.stop("SIGKILL");
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface StreamResult {
  requestId: string;
  text: string;
  endedAt: number;
}

/** Opens a stream and resolves `started` once its first event is in, `done` when it has ended. */
function openStream() {
  let markStarted!: () => void;
  const started = new Promise<void>((r) => (markStarted = r));
  const done = (async (): Promise<StreamResult> => {
    const res = await chatRequest(server.url, key, { model: "slow", stream: true });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    for (let i = 0; i < 10_000; i++) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
      if (text.includes("data:")) markStarted();
    }
    return { requestId: res.headers.get("x-request-id")!, text, endedAt: Date.now() };
  })();
  return { started, done };
}

/** True when the port refuses a fresh TCP connection. */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.setTimeout(2000, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", (err: NodeJS.ErrnoException) => resolve(err.code === "ECONNREFUSED"));
  });
}

describe("SIGTERM", () => {
  it("drains in-flight streams, refuses new connections, flushes usage and exits 0", { timeout: 60_000 }, async () => {
    const port = Number(new URL(server.url).port);
    const streams = Array.from({ length: SLOW_STREAMS }, openStream);
    await Promise.all(streams.map((s) => s.started));

    // Requests certain to be in flight at SIGTERM: sent well before it, answered well after.
    const pending = Array.from({ length: PENDING }, (_, i) =>
      chatRequest(server.url, key, { model: "pending", stream: i % 2 === 0 }).then(async (res) => ({
        status: res.status,
        requestId: res.headers.get("x-request-id")!,
        text: await res.text(),
      })),
    );
    await sleep(PENDING_LEAD_MS);

    // And a burst of quick ones across the moment of the signal: those answered must be accounted.
    const answered: string[] = [];
    const statuses: number[] = [];
    const burstErrors: string[] = [];
    let signalled = false;
    const burst = runLoops(4, 2000, 200, async () => {
      if (signalled && burstErrors.length > 0) return;
      try {
        const res = await chatRequest(server.url, key, { model: "fast" });
        await res.text();
        answered.push(res.headers.get("x-request-id")!);
        statuses.push(res.status);
      } catch (err) {
        burstErrors.push(String((err as { cause?: { code?: string } }).cause?.code ?? err));
        await sleep(20);
      }
    });
    await sleep(50);

    // The exit is timed when it happens, not when the test gets round to looking.
    const exit = exited(server).then((e) => ({ ...e, at: Date.now() }));
    const termAt = Date.now();
    server.proc.kill("SIGTERM");
    signalled = true;
    await sleep(150);
    const refusedWhileDraining = await refused(port);

    const results = await Promise.all(streams.map((s) => s.done));
    const inFlight = await Promise.all(pending);
    await burst;
    const { code, signal, at: exitAt } = await exit;
    const lastStreamEnd = Math.max(...results.map((r) => r.endedAt));
    console.info(
      `[sigterm] streams finished ${lastStreamEnd - termAt} ms after SIGTERM, process exited after ${exitAt - termAt} ms; ` +
        `${inFlight.length} requests in flight all answered ${[...new Set(inFlight.map((r) => r.status))].join(",")}; ` +
        `quick burst: ${answered.length} answered, ${burstErrors.length} not served (${[...new Set(burstErrors)].join(", ")})`,
    );

    expect(refusedWhileDraining).toBe(true);
    expect(await refused(port)).toBe(true);
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(exitAt - termAt).toBeLessThan(GRACE_MS);
    // Once the last stream is done there is nothing left to wait for.
    expect(exitAt - lastStreamEnd).toBeLessThan(1500);
    for (const r of results) {
      const events = parseSse(r.text);
      expect(events.at(-1)).toBe("[DONE]");
      expect(events.some((e) => e.startsWith('{"error"'))).toBe(false);
      const content = events
        .filter((e) => e !== "[DONE]")
        .map((e) => JSON.parse(e).choices?.[0]?.delta?.content ?? "")
        .join("");
      expect(content.length).toBeGreaterThan(0);
    }
    for (const r of inFlight) {
      expect(r.status).toBe(200);
      expect(r.text.includes('"error"')).toBe(false);
    }
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(answered.length).toBeGreaterThan(0);

    const db = new Database(server.dbPath, { readonly: true, fileMustExist: true });
    try {
      const rows = db.prepare("select request_id, status, stream from usage").all() as Array<{ request_id: string; status: string; stream: number }>;
      const byId = new Map(rows.map((r) => [r.request_id, r]));
      for (const r of results) expect(byId.get(r.requestId)).toMatchObject({ status: "ok", stream: 1 });
      for (const r of inFlight) expect(byId.get(r.requestId)?.status).toBe("ok");
      for (const id of answered) expect(byId.get(id)?.status).toBe("ok");
      expect(rows.length).toBe(results.length + inFlight.length + answered.length);
    } finally {
      db.close();
    }
  });
});
