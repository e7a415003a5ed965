/**
 * Per-attempt clocks over real HTTP: first byte, idle gap between stream events and the total
 * deadline each end the call, close the upstream connection promptly and leave one usage row.
 * One attempt per request, so every timing below is a single timeout.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type TestServer } from "../../helpers/server";
import { chunk, openSse, provision, startUpstream, type Received, type TestUpstream } from "../../helpers/upstream";
import { chat, parseSse, teamUsage, waitFor } from "./helpers";

const FIRST_BYTE_MS = 500;
const IDLE_MS = 400;
const TOTAL_MS = 900;
// How soon after a timeout the upstream must see its connection closed. Generous: the property is
// that the call is cut at all (a leaked one stays open until the test gives up), and one process
// hearing of another's hang-up can take hundreds of milliseconds on a loaded two-core machine.
const CLOSE_SLACK_MS = 1000;
// The same for the client, which also waits for its request to be read and its answer taken in.
// Still far short of any other clock that could end the call (60 s and more by default).
const ANSWER_SLACK_MS = 2000;

let server: TestServer;
let upstream: TestUpstream;
let firstByte: Awaited<ReturnType<typeof provision>>;
let idle: Awaited<ReturnType<typeof provision>>;
let total: Awaited<ReturnType<typeof provision>>;

const closed = (r: Received) => waitFor(() => r.closedAt !== null, 3000, "the upstream connection to close");

/**
 * An attempt's clock starts after the request began (its usage row's created_at) and before the
 * upstream has read the request (`at`), so a timeout of `ms` fires within [createdAt + ms, at + ms].
 * The upstream must see its connection closed no earlier, and at most CLOSE_SLACK_MS later.
 */
function expectHungUpOnTime(r: Received, row: Record<string, any>, ms: number) {
  expect(r.closedAt! - row.created_at).toBeGreaterThanOrEqual(ms - 2);
  expect(r.closedAt! - r.at).toBeLessThanOrEqual(ms + CLOSE_SLACK_MS);
}

async function oneRow(teamId: string, n: number): Promise<Record<string, any>> {
  const rows = await teamUsage(server, teamId, n);
  expect(rows).toHaveLength(n);
  return rows.at(-1)!;
}

beforeAll(async () => {
  upstream = await startUpstream(() => {});
  server = await startServer();
  firstByte = await provision(server.admin, { baseUrl: upstream.baseUrl, providerSettings: { maxAttempts: 1, firstByteTimeoutMs: FIRST_BYTE_MS } });
  idle = await provision(server.admin, { baseUrl: upstream.baseUrl, providerSettings: { maxAttempts: 1, idleTimeoutMs: IDLE_MS } });
  total = await provision(server.admin, { baseUrl: upstream.baseUrl, providerSettings: { maxAttempts: 1, totalTimeoutMs: TOTAL_MS, idleTimeoutMs: 300 } });
});

afterAll(async () => {
  await server?.stop();
  await upstream?.close();
});

describe("first-byte timeout", () => {
  it("answers 504 timeout when the upstream never sends headers, and hangs up on it", async () => {
    upstream.handle(() => {}); // accepts the request and never answers
    const before = upstream.received.length;
    const t0 = Date.now();
    const res = await chat(server, firstByte.key, firstByte.model.name);
    const elapsed = Date.now() - t0;
    expect(res.status).toBe(504);
    expect((await res.json()).error).toMatchObject({ type: "timeout", code: "timeout" });
    expect(elapsed).toBeGreaterThanOrEqual(FIRST_BYTE_MS - 20);
    expect(elapsed).toBeLessThan(FIRST_BYTE_MS + ANSWER_SLACK_MS);

    expect(upstream.received.length - before).toBe(1);
    const r = upstream.received.at(-1)!;
    await closed(r);
    const row = await oneRow(firstByte.team.id, 1);
    expect(row).toMatchObject({ status: "error", http_status: 504, error_type: "timeout", attempts: 1 });
    expectHungUpOnTime(r, row, FIRST_BYTE_MS);
  });

  it("does the same for a stream whose first event never comes", async () => {
    // Headers go out, the first event does not: the response is not committed, so still a 504.
    upstream.handle((_req, res) => void openSse(res));
    const t0 = Date.now();
    const res = await chat(server, firstByte.key, firstByte.model.name, { stream: true });
    expect(res.status).toBe(504);
    expect((await res.json()).error.type).toBe("timeout");
    expect(Date.now() - t0).toBeGreaterThanOrEqual(FIRST_BYTE_MS - 20);

    const r = upstream.received.at(-1)!;
    await closed(r);
    const row = await oneRow(firstByte.team.id, 2);
    expect(row).toMatchObject({ status: "error", http_status: 504, error_type: "timeout", stream: 1 });
    expectHungUpOnTime(r, row, FIRST_BYTE_MS);
  });
});

describe("idle timeout", () => {
  it("sends the first chunk, then a timeout error event and no [DONE] when the stream stalls", async () => {
    let sentAt = 0;
    upstream.handle((_req, res) => {
      const send = openSse(res);
      send(chunk("up-model", { role: "assistant", content: "Hello" }));
      sentAt = Date.now();
      // …and nothing more, ever.
    });
    const res = await chat(server, idle.key, idle.model.name, { stream: true });
    expect(res.status).toBe(200);
    const events = parseSse(await res.text());
    const errorAt = Date.now();

    expect(events).toHaveLength(2);
    expect(JSON.parse(events[0]!).choices[0].delta.content).toBe("Hello");
    expect(JSON.parse(events[1]!).error).toMatchObject({ type: "timeout", code: "timeout" });
    expect(events).not.toContain("[DONE]");
    expect(errorAt - sentAt).toBeGreaterThanOrEqual(IDLE_MS - 20);

    const r = upstream.received.at(-1)!;
    await closed(r);
    expect(r.closedAt! - sentAt).toBeGreaterThanOrEqual(IDLE_MS - 20);
    expect(r.closedAt! - sentAt).toBeLessThanOrEqual(IDLE_MS + CLOSE_SLACK_MS);

    const row = await oneRow(idle.team.id, 1);
    expect(row).toMatchObject({ status: "error", http_status: 502, error_type: "timeout", stream: 1, attempts: 1 });
    // "Hello" did stream and is billed.
    expect(row.completion_tokens).toBe(1);
  });

  it("does not fire while events keep coming within the idle gap", async () => {
    upstream.handle(async (req, res) => {
      const send = openSse(res);
      for (let i = 0; i < 4 && req.closedAt === null; i++) {
        send(chunk("up-model", { content: `w${i} ` }));
        await new Promise((r) => setTimeout(r, IDLE_MS / 2));
      }
      send(chunk("up-model", {}, "stop"));
      send("[DONE]");
      res.end();
    });
    const res = await chat(server, idle.key, idle.model.name, { stream: true });
    const events = parseSse(await res.text());
    expect(events.at(-1)).toBe("[DONE]");
    expect(events.some((e) => e.includes('"error"'))).toBe(false);
    expect(await oneRow(idle.team.id, 2)).toMatchObject({ status: "ok", http_status: 200 });
  });
});

describe("total deadline", () => {
  it("ends a stream that trickles faster than the idle gap but never finishes", async () => {
    upstream.handle(async (req, res) => {
      const send = openSse(res);
      while (req.closedAt === null) {
        send(chunk("up-model", { content: "tick " }));
        await new Promise((r) => setTimeout(r, 100));
      }
    });
    const t0 = Date.now();
    const res = await chat(server, total.key, total.model.name, { stream: true });
    expect(res.status).toBe(200);
    const events = parseSse(await res.text());
    const elapsed = Date.now() - t0;

    expect(events.length).toBeGreaterThan(3);
    expect(JSON.parse(events.at(-1)!).error).toMatchObject({ type: "timeout", code: "timeout" });
    expect(events).not.toContain("[DONE]");
    expect(elapsed).toBeGreaterThanOrEqual(TOTAL_MS - 20);

    const r = upstream.received.at(-1)!;
    await closed(r);
    const row = await oneRow(total.team.id, 1);
    expect(row).toMatchObject({ status: "error", http_status: 502, error_type: "timeout", stream: 1 });
    expect(row.completion_tokens).toBeGreaterThan(0);
    expectHungUpOnTime(r, row, TOTAL_MS);
  });

  it("answers 504 for a non-stream call still unanswered at the deadline", async () => {
    upstream.handle(() => {});
    const t0 = Date.now();
    const res = await chat(server, total.key, total.model.name);
    expect(res.status).toBe(504);
    expect((await res.json()).error.type).toBe("timeout");
    expect(Date.now() - t0).toBeGreaterThanOrEqual(TOTAL_MS - 20);
    const r = upstream.received.at(-1)!;
    await closed(r);
    const row = await oneRow(total.team.id, 2);
    expect(row).toMatchObject({ status: "error", http_status: 504, error_type: "timeout" });
    expectHungUpOnTime(r, row, TOTAL_MS);
  });
});
