/**
 * Slow and idle clients over raw sockets: headers sent a byte at a time and bodies that never
 * finish are cut off by the server's headers and request timeouts (shortened here by env), while
 * ordinary requests keep being answered, also with hundreds of idle connections open.
 */
import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type TestServer } from "../../helpers/server";
import { simulatorSetup } from "../faults/helpers";

const HEADERS_TIMEOUT_MS = 1500;
const REQUEST_TIMEOUT_MS = 3000;
// The server sweeps connections for timeouts on an interval; allow for it and for a busy machine.
const SLACK_MS = 1500;

let server: TestServer;
let key: string;
let port: number;
const sockets = new Set<Socket>();

beforeAll(async () => {
  server = await startServer({ env: { SWITCHYARD_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS), SWITCHYARD_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS) } });
  port = Number(new URL(server.url).port);
  ({ key } = await simulatorSetup(server, { quick: { ttftMs: 1, tokensPerSecond: 10_000, outputTokens: 4 } }));
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await server?.stop();
});

interface Hostile {
  socket: Socket;
  openedAt: number;
  /** When the server closed it, and what it said first. */
  closed: Promise<{ at: number; reply: string }>;
}

function open(): Promise<Hostile> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    sockets.add(socket);
    let reply = "";
    socket.setEncoding("utf8");
    socket.on("data", (d: string) => (reply += d));
    const closed = new Promise<{ at: number; reply: string }>((r) =>
      socket.once("close", () => {
        sockets.delete(socket);
        r({ at: Date.now(), reply });
      }),
    );
    socket.once("error", () => {});
    socket.once("connect", () => resolve({ socket, openedAt: Date.now(), closed }));
    socket.once("error", reject);
  });
}

/** Writes `text` one byte every `everyMs` until the socket closes or the text runs out. */
async function drip(socket: Socket, text: string, everyMs: number): Promise<void> {
  for (const ch of text) {
    if (socket.destroyed || !socket.writable) return;
    socket.write(ch);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

async function healthy(): Promise<number> {
  const started = Date.now();
  const health = await fetch(`${server.url}/api/health`, { signal: AbortSignal.timeout(5000) });
  expect(health.status).toBe(200);
  const res = await fetch(`${server.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "quick", messages: [{ role: "user", content: "still there?" }] }),
    signal: AbortSignal.timeout(5000),
  });
  expect(res.status).toBe(200);
  expect((await res.json()).choices[0].message.content).toEqual(expect.any(String));
  return Date.now() - started;
}

const requestHead = (extra = "") => `POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\n${extra}`;

describe("slow clients", () => {
  it("closes connections whose headers trickle in, and keeps serving others meanwhile", { timeout: 30_000 }, async () => {
    const slow = await Promise.all(Array.from({ length: 20 }, open));
    // A header line that never ends, one byte every 100 ms: far longer than the headers timeout.
    const head = requestHead("X-Padding: " + "a".repeat(200));
    const dripping = slow.map((h) => drip(h.socket, head, 100));

    const served: number[] = [];
    const until = Date.now() + HEADERS_TIMEOUT_MS;
    for (let i = 0; i < 50 && Date.now() < until; i++) served.push(await healthy());

    const closed = await Promise.all(slow.map((h) => h.closed));
    await Promise.all(dripping);
    const lifetimes = closed.map((c, i) => c.at - slow[i]!.openedAt);
    console.info(`[slowloris] trickled headers closed after ${Math.min(...lifetimes)}–${Math.max(...lifetimes)} ms; ${served.length} requests served meanwhile, slowest ${Math.max(...served)} ms`);
    for (const t of lifetimes) {
      expect(t).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 100);
      expect(t).toBeLessThan(HEADERS_TIMEOUT_MS + SLACK_MS);
    }
    for (const c of closed) expect(c.reply === "" || c.reply.startsWith("HTTP/1.1 408")).toBe(true);
    expect(served.length).toBeGreaterThan(0);
  });

  it("closes connections whose body never completes, dripping or silent", { timeout: 30_000 }, async () => {
    const dripping = await Promise.all(Array.from({ length: 10 }, open));
    const silent = await Promise.all(Array.from({ length: 10 }, open));
    const body = JSON.stringify({ model: "quick", messages: [{ role: "user", content: "x".repeat(500) }] });
    const head = requestHead(`Content-Length: ${body.length}\r\n\r\n`);
    for (const h of [...dripping, ...silent]) h.socket.write(head);
    for (const h of silent) h.socket.write(body.slice(0, 20));
    const drips = dripping.map((h) => drip(h.socket, body, 150));

    const served: number[] = [];
    const until = Date.now() + REQUEST_TIMEOUT_MS;
    for (let i = 0; i < 50 && Date.now() < until; i++) served.push(await healthy());

    const all = [...dripping, ...silent];
    const closed = await Promise.all(all.map((h) => h.closed));
    await Promise.all(drips);
    const lifetimes = closed.map((c, i) => c.at - all[i]!.openedAt);
    console.info(`[slowloris] unfinished bodies closed after ${Math.min(...lifetimes)}–${Math.max(...lifetimes)} ms; ${served.length} requests served meanwhile`);
    for (const t of lifetimes) {
      expect(t).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 100);
      expect(t).toBeLessThan(REQUEST_TIMEOUT_MS + SLACK_MS);
    }
    // None of them got a successful answer to a request it never finished sending.
    for (const c of closed) expect(c.reply).not.toMatch(/^HTTP\/1\.1 2/);
    expect(served.length).toBeGreaterThan(0);
    await healthy();
    // A body cut off by the timeout is the client's doing, not an internal fault.
    const rows = await server.usageRows(0);
    expect(rows.filter((r) => r.error_type === "internal_error")).toEqual([]);
    expect(server.output()).not.toMatch(/unhandled error/);
  });

  it("answers normally with 200 idle connections open, and reaps them", { timeout: 30_000 }, async () => {
    const idle: Hostile[] = [];
    for (let i = 0; i < 200; i++) idle.push(await open());
    expect(idle.every((h) => !h.socket.destroyed)).toBe(true);

    const served: number[] = [];
    for (let i = 0; i < 10; i++) served.push(await healthy());
    console.info(`[slowloris] with 200 idle sockets open: 10 requests, slowest ${Math.max(...served)} ms`);
    expect(Math.max(...served)).toBeLessThan(2000);

    const closed = await Promise.all(idle.map((h) => h.closed));
    const lifetimes = closed.map((c, i) => c.at - idle[i]!.openedAt);
    console.info(`[slowloris] idle sockets closed after ${Math.min(...lifetimes)}–${Math.max(...lifetimes)} ms`);
    expect(Math.max(...lifetimes)).toBeLessThan(HEADERS_TIMEOUT_MS + SLACK_MS);
    await healthy();
  });
});
