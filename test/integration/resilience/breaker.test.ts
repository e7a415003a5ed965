/**
 * The circuit breaker over real HTTP: a failing upstream trips it, the fallback then serves without
 * the sick upstream being called at all, and after the cool-down probes close it again.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type TestServer } from "../../helpers/server";
import { completion, provision, sendJson, sleep, startUpstream, type TestUpstream } from "../../helpers/upstream";
import { adminJson, chat, eventsOf, teamUsage } from "./helpers";

const OPEN_MS = 1500;
const MIN_REQUESTS = 4;
const PROBES = 3;

let server: TestServer;
let sick: TestUpstream;
let healthy: TestUpstream;
let a: Awaited<ReturnType<typeof provision>>;
let b: Awaited<ReturnType<typeof provision>>;
let sickHealthy = false;
let rows = 0;

const breakerOf = async () => (await adminJson(server, `/api/admin/models/${a.model.id}`)).breaker as { state: string; openedAt: string | null; nextProbeAt: string | null };

/** One request as the team of model A; returns the status, who served it and its usage row. */
async function send(): Promise<{ status: number; servedBy: string | null; row: Record<string, any> }> {
  const res = await chat(server, a.key, a.model.name);
  const body = await res.json();
  rows++;
  const all = await teamUsage(server, a.team.id, rows);
  expect(all).toHaveLength(rows);
  return { status: res.status, servedBy: body.choices?.[0]?.message?.content ?? null, row: all.at(-1)! };
}

beforeAll(async () => {
  sick = await startUpstream((_req, res) =>
    sickHealthy
      ? sendJson(res, 200, completion("up-a", "from A", { prompt_tokens: 5, completion_tokens: 2 }))
      : sendJson(res, 500, { error: { message: "A is down", type: "server_error" } }),
  );
  healthy = await startUpstream((_req, res) => sendJson(res, 200, completion("up-b", "from B", { prompt_tokens: 5, completion_tokens: 2 })));
  server = await startServer({ env: { SWITCHYARD_BREAKER_OPEN_MS: String(OPEN_MS), SWITCHYARD_BREAKER_MIN_REQUESTS: String(MIN_REQUESTS) } });
  b = await provision(server.admin, { baseUrl: healthy.baseUrl });
  a = await provision(server.admin, { baseUrl: sick.baseUrl, providerSettings: { maxAttempts: 1 }, model: { fallbacks: [b.model.name] } });
});

afterAll(async () => {
  await server?.stop();
  await sick?.close();
  await healthy?.close();
});

describe("circuit breaker", () => {
  it("opens after the minimum volume of failures, each request still served by the fallback", async () => {
    expect((await breakerOf()).state).toBe("closed");
    let sent = 0;
    while ((await breakerOf()).state !== "open") {
      expect(sent, "the breaker should open after the minimum volume").toBeLessThan(MIN_REQUESTS);
      const r = await send();
      sent++;
      expect(r.status).toBe(200);
      expect(r.servedBy).toBe("from B");
      expect(r.row).toMatchObject({ status: "ok", attempts: 2, fallback_used: 1, served_model: b.model.name });
    }
    expect(sent).toBe(MIN_REQUESTS);
    expect(sick.received).toHaveLength(MIN_REQUESTS);

    const opened = await eventsOf(server, "breaker.open", a.model.id);
    expect(opened).toHaveLength(1);
    expect(opened[0]).toMatchObject({ subjectType: "model", actor: "system", data: { from: "closed", to: "open", failureRate: 1, requests: MIN_REQUESTS } });
  });

  it("skips the open upstream entirely: the fallback serves and A is not called", async () => {
    const hits = sick.received.length;
    const served = healthy.received.length;
    for (let i = 0; i < 5; i++) {
      const r = await send();
      expect(r.status).toBe(200);
      expect(r.servedBy).toBe("from B");
      expect(r.row).toMatchObject({ status: "ok", attempts: 1, fallback_used: 1, served_model: b.model.name });
    }
    expect(sick.received.length).toBe(hits);
    expect(healthy.received.length - served).toBe(5);
    expect((await breakerOf()).state).toBe("open");
  });

  it("re-opens when the probe after the cool-down fails", async () => {
    const { nextProbeAt } = await breakerOf();
    await sleep(Math.max(0, Date.parse(nextProbeAt!) - Date.now()) + 20);
    const hits = sick.received.length;
    const r = await send();
    // The probe went to A, failed, and the fallback still answered.
    expect(sick.received.length - hits).toBe(1);
    expect(r.status).toBe(200);
    expect(r.servedBy).toBe("from B");
    expect((await breakerOf()).state).toBe("open");
    expect(await eventsOf(server, "breaker.half_open", a.model.id)).toHaveLength(1);
    expect(await eventsOf(server, "breaker.open", a.model.id)).toHaveLength(2);

    // Open again means skipped again.
    const again = await send();
    expect(again.servedBy).toBe("from B");
    expect(sick.received.length - hits).toBe(1);
  });

  it(`closes after ${PROBES} successful probes once A has recovered`, async () => {
    const { nextProbeAt } = await breakerOf();
    sickHealthy = true;
    await sleep(Math.max(0, Date.parse(nextProbeAt!) - Date.now()) + 20);
    const hits = sick.received.length;
    for (let i = 1; i <= PROBES; i++) {
      const r = await send();
      expect(r.status).toBe(200);
      expect(r.servedBy).toBe("from A");
      expect(r.row).toMatchObject({ status: "ok", attempts: 1, fallback_used: 0, served_model: a.model.name });
      expect((await breakerOf()).state).toBe(i < PROBES ? "half_open" : "closed");
    }
    expect(sick.received.length - hits).toBe(PROBES);

    const closed = await eventsOf(server, "breaker.closed", a.model.id);
    expect(closed).toHaveLength(1);
    expect(closed[0]!.data).toMatchObject({ from: "half_open", to: "closed" });

    // Closed: A serves normally again.
    const r = await send();
    expect(r.servedBy).toBe("from A");
    expect(r.row.fallback_used).toBe(0);
  });
});
