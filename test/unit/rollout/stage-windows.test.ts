import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, openDb, setDb } from "@/db/client";
import { listRouteUsageSince, readRouteUsageAfter } from "@/db/queries/routes";
import { insertUsageBatch } from "@/db/queries/usage";
import type { NewUsageRow, RouteRow } from "@/db/schema";
import { StageWindows } from "@/lib/rollout/loop";
import { buildWindows } from "@/lib/rollout/windows";

let seq = 0;
function usageRow(routeId: string, createdAt: number, variant: "control" | "candidate", ok: boolean, latencyMs: number): NewUsageRow {
  seq++;
  return {
    requestId: `req_${seq}`, createdAt, routeId, variant, status: ok ? "ok" : "error", httpStatus: ok ? 200 : 502,
    errorType: ok ? null : "upstream_error", latencyMs, ttftMs: ok ? Math.round(latencyMs / 3) : null, costMicros: 7,
    attempts: 1, fallbackUsed: false, stream: true, promptTokens: 10, completionTokens: 20,
  };
}

const route = (stageIndex: number, stageStartedAt: number) => ({ id: "r1", stageIndex, stageStartedAt }) as RouteRow;
const fullRead = async (r: RouteRow) => buildWindows(await listRouteUsageSince({ routeId: r.id, since: r.stageStartedAt }));

describe("a stage's windows kept between evaluations", () => {
  beforeAll(() => setDb(openDb(":memory:")));
  afterAll(() => closeDb());

  it("equal a full read of the stage after every batch of new rows, whatever order rows land in", async () => {
    const windows = new StageWindows();
    const stage = route(0, 1_000);
    await insertUsageBatch([usageRow("r1", 500, "control", true, 40), usageRow("r1", 1_200, "control", true, 50), usageRow("r1", 1_300, "candidate", false, 90)]);
    expect(await windows.of(stage)).toEqual(await fullRead(stage));

    // Written later: a row of this stage, one from before it (a long stream that began earlier), another route's.
    await insertUsageBatch([usageRow("r1", 1_400, "candidate", true, 70), usageRow("r1", 900, "candidate", false, 10), usageRow("r2", 1_500, "control", true, 5)]);
    const topped = await windows.of(stage);
    expect(topped).toEqual(await fullRead(stage));
    expect(topped.candidate).toMatchObject({ requests: 2, errors: 1, latenciesMs: [70] });
    expect(topped.control).toMatchObject({ requests: 1, latenciesMs: [50] });
  });

  it("start over when the route moves to another stage", async () => {
    const windows = new StageWindows();
    await windows.of(route(0, 1_000));
    const next = route(1, 1_350);
    const fresh = await windows.of(next);
    expect(fresh).toEqual(await fullRead(next));
    expect(fresh.control.requests + fresh.candidate.requests).toBe(1);
  });

  it("move the read position past other routes' rows while the route is quiet", async () => {
    const before = (await readRouteUsageAfter({ routeId: "r1", since: 0, afterId: 0 })).lastId;
    await insertUsageBatch([usageRow("r2", 2_000, "control", true, 5), usageRow("r2", 2_001, "control", true, 5)]);
    const quiet = await readRouteUsageAfter({ routeId: "r1", since: 0, afterId: before });
    expect(quiet.rows).toEqual([]);
    expect(quiet.lastId).toBe(before + 2);
    await insertUsageBatch([usageRow("r1", 2_002, "candidate", true, 9)]);
    const next = await readRouteUsageAfter({ routeId: "r1", since: 0, afterId: quiet.lastId });
    expect(next.rows.map((r) => r.latencyMs)).toEqual([9]);
    expect(next.lastId).toBe(before + 3);
  });
});
