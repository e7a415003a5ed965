/** What each kind of notification says, from the events the gateway records, over the real migrations in memory. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { insertEvent } from "@/db/queries/events";
import { listNotifications } from "@/lib/admin/notifications";
import { breakerEvent } from "@/lib/server/store";
import { createHarness, type Harness } from "../../helpers/gateway";

let h: Harness;
beforeEach(() => (h = createHarness()));
afterEach(() => h.close());

describe("listNotifications", () => {
  it("names the team of a budget alert, the model of an open breaker, and leaves other events out", async () => {
    const team = await h.team();
    const model = await h.model("flaky");
    const at = h.clock.now();
    await insertEvent({
      type: "budget.alert", subjectType: "team", subjectId: team.id, actor: "system", createdAt: at,
      data: { teamId: team.id, period: "day", periodKey: "2025-06-15", thresholdPct: 80, spentMicros: 4_100_000, capMicros: 5_000_000 },
    });
    await insertEvent({ ...breakerEvent({ key: model.id, from: "closed", to: "open", at, failureRate: 0.6, requests: 10 }), createdAt: at + 1 });
    await insertEvent({ ...breakerEvent({ key: model.id, from: "open", to: "half_open", at, failureRate: 0.6, requests: 10 }), createdAt: at + 2 });
    await insertEvent({ type: "budget.overrun", subjectType: "team", subjectId: team.id, actor: "system", createdAt: at + 3, data: {} });

    const list = await listNotifications("usr_someone", new URLSearchParams());
    expect(list.unread).toBe(2);
    expect(list.data.map((n) => [n.type, n.title, n.detail, n.href])).toEqual([
      ["breaker.open", "Circuit breaker opened for flaky", "60 % of 10 recent requests failed; calls go to its fallbacks until it recovers.", "/settings/models"],
      ["budget.alert", `${team.name} reached 80 % of its daily budget`, "$4.10 of $5.00 spent (2025-06-15).", `/settings/teams/${team.id}`],
    ]);
  });
});
