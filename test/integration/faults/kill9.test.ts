/**
 * kill -9 under steady load: the database stays intact, a crash loses at most the last usage flush
 * window, budgets reload from what was written, and a route's rollout state survives the restart.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOfUtcDay } from "@/lib/gateway/period";
import { startServer, type TestServer } from "../../helpers/server";
import { chatRequest, exited, must, runLoops, simulatorSetup } from "./helpers";

const FLUSH_MS = 200;
// A row is queued before its response is sent; the timer that writes it may run late on a busy loop,
// and the client reads its clock only once the answer reaches it, on a machine with two busy cores.
const FLUSH_MARGIN_MS = 1000;
const LOAD_MS = 3000;
const CONCURRENCY = 8;
const env = { SWITCHYARD_USAGE_FLUSH_MS: String(FLUSH_MS) };

let dir: string;
let first: TestServer;
let second: TestServer | undefined;
let key: string;
let teamId: string;
let routeId: string;

interface Done {
  requestId: string;
  finishedAt: number;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "switchyard-kill9-"));
  first = await startServer({ dir, env });
  const fast = { ttftMs: 1, tokensPerSecond: 20_000, outputTokens: 8 };
  ({ key, teamId } = await simulatorSetup(first, { control: fast, candidate: fast }, { dailyBudgetUsd: 50 }, { maxOutputTokens: 16 }));
  const route = await must(
    await first.admin("/api/admin/routes", {
      method: "POST",
      json: { name: "split", control: "control", candidate: "candidate", stages: [50, 100], evalIntervalSeconds: 1, minStageSeconds: 3600 },
    }),
  );
  routeId = route.id;
});

afterAll(async () => {
  if (first && first.proc.exitCode === null && first.proc.signalCode === null) first.proc.kill("SIGKILL");
  await second?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const routeState = (r: Record<string, any>) => ({
  status: r.status,
  candidateWeight: r.candidateWeight,
  stageIndex: r.stageIndex,
  stageStartedAt: r.stageStartedAt,
  variants: r.variants.map((v: Record<string, any>) => ({ name: v.name, model: v.model, weight: v.weight })),
  events: r.events.map((e: Record<string, any>) => ({ id: e.id, type: e.type, createdAt: e.createdAt })),
});

describe("kill -9 under load", () => {
  it("keeps the database intact and loses at most one flush window of usage", { timeout: 90_000 }, async () => {
    const before = routeState(await must(await first.admin(`/api/admin/routes/${routeId}`)));
    expect(before.status).toBe("running");
    expect(before.variants).toEqual([
      { name: "control", model: "control", weight: 50 },
      { name: "candidate", model: "candidate", weight: 50 },
    ]);

    const done: Done[] = [];
    let failures = 0;
    await runLoops(CONCURRENCY, LOAD_MS, 2000, async (loop, i) => {
      try {
        const res = await chatRequest(first.url, key, { model: "split", user: `u${loop}-${i}` });
        const text = await res.text();
        if (res.status === 200 && JSON.parse(text).choices) done.push({ requestId: res.headers.get("x-request-id")!, finishedAt: Date.now() });
        else failures++;
      } catch {
        failures++;
      }
    });
    const firstExit = exited(first);
    const killedAt = Date.now();
    first.proc.kill("SIGKILL");
    expect((await firstExit).signal).toBe("SIGKILL");
    expect(failures).toBe(0);
    expect(done.length).toBeGreaterThan(100);

    second = await startServer({ dir, env });

    const file = new Database(join(dir, "switchyard.db"), { readonly: true, fileMustExist: true });
    try {
      expect(file.pragma("integrity_check", { simple: true })).toBe("ok");
      const written = new Set((file.prepare("select request_id from usage").all() as Array<{ request_id: string }>).map((r) => r.request_id));
      const settled = done.filter((d) => killedAt - d.finishedAt > FLUSH_MS + FLUSH_MARGIN_MS);
      const missingSettled = settled.filter((d) => !written.has(d.requestId));
      const lost = done.filter((d) => !written.has(d.requestId));
      const lostAge = lost.map((d) => killedAt - d.finishedAt);
      console.info(
        `[kill9] ${done.length} complete responses in ${LOAD_MS} ms; ${written.size} usage rows after restart; ` +
          `lost ${lost.length} rows, all finished within ${lostAge.length ? Math.max(...lostAge) : 0} ms of the kill`,
      );
      expect(missingSettled.map((d) => d.requestId)).toEqual([]);
      expect(settled.length).toBeGreaterThan(0);

      // Budgets after a restart are loaded from the rows that made it to disk, nothing else.
      const since = startOfUtcDay(Date.now());
      const sum = (file.prepare("select coalesce(sum(cost_micros), 0) as s from usage where team_id = ? and created_at >= ?").get(teamId, since) as { s: number }).s;
      expect(sum).toBeGreaterThan(0);
      const team = await must(await second.admin(`/api/admin/teams/${teamId}`));
      expect(Math.round(team.spentTodayUsd * 1e6)).toBe(sum);
      expect(Math.round(team.budget.day.spentUsd * 1e6)).toBe(sum);
      expect(team.budget.day.reservedUsd).toBe(0);
    } finally {
      file.close();
    }

    const after = routeState(await must(await second.admin(`/api/admin/routes/${routeId}`)));
    expect(after).toEqual(before);

    // Traffic resumes on the restarted server, through the same route and budget.
    const fresh: string[] = [];
    for (let i = 0; i < 10; i++) {
      const res = await chatRequest(second.url, key, { model: "split", user: `after-${i}` });
      expect(res.status).toBe(200);
      expect((await res.json()).choices[0].message.content).toEqual(expect.any(String));
      fresh.push(res.headers.get("x-request-id")!);
    }
    let freshRows: Record<string, unknown>[] = [];
    for (let i = 0; i < 100 && freshRows.length < fresh.length; i++) {
      await new Promise((r) => setTimeout(r, 50));
      freshRows = (await second.usageRows(0)).filter((r) => fresh.includes(r.request_id as string));
    }
    expect(freshRows.length).toBe(10);
    expect(freshRows.every((r) => r.status === "ok" && r.route_id === routeId)).toBe(true);
    const team = await must(await second.admin(`/api/admin/teams/${teamId}`));
    const total = (second.db().prepare("select coalesce(sum(cost_micros), 0) as s from usage where team_id = ?").get(teamId) as { s: number }).s;
    expect(Math.round(team.budget.day.spentUsd * 1e6)).toBe(total);
  });
});
