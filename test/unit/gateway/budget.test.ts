import { describe, expect, it } from "vitest";
import { BudgetLedger, type BudgetTeam, type Reservation } from "@/lib/gateway/budget";
import { dayKey, monthKey, startOfUtcDay, startOfUtcMonth } from "@/lib/gateway/period";
import { seededRandom } from "@/lib/simulator/random";

const at = (iso: string) => Date.parse(iso);
const NOW = at("2025-03-14T12:00:00Z");

function team(over: Partial<BudgetTeam> = {}): BudgetTeam {
  return { id: "t1", dailyBudgetMicros: 50_000, monthlyBudgetMicros: null, alertThresholdPct: 80, ...over };
}

function mustReserve(ledger: BudgetLedger<(teamId: string, sinceMs: number) => number>, t: BudgetTeam, amount: number, now: number): Reservation {
  const r = ledger.reserve(t, amount, now);
  if (!r.ok) throw new Error(`refused: ${JSON.stringify(r)}`);
  return r.reservation;
}

describe("BudgetLedger.reserve", () => {
  it("grants exactly as many of a burst as fit the cap", () => {
    const ledger = new BudgetLedger(() => 0);
    const t = team();
    let granted = 0;
    for (let i = 0; i < 200; i++) if (ledger.reserve(t, 1000, NOW).ok) granted++;
    expect(granted).toBe(50);
    expect(ledger.outstanding("t1")).toBe(50);
    expect(ledger.snapshot(t, NOW).day).toEqual({
      key: "2025-03-14",
      capMicros: 50_000,
      spentMicros: 0,
      reservedMicros: 50_000,
      alerted: false,
    });
    expect(ledger.reserve(t, 1000, NOW)).toEqual({
      ok: false,
      period: "day",
      retryAfterSeconds: 12 * 3600,
      resetsAt: at("2025-03-15T00:00:00Z"),
      capMicros: 50_000,
      spentMicros: 0,
      reservedMicros: 50_000,
    });
  });

  it("settling below the reservation frees the difference", () => {
    const ledger = new BudgetLedger(() => 0);
    const t = team();
    const held = Array.from({ length: 50 }, () => mustReserve(ledger, t, 1000, NOW));
    expect(ledger.reserve(t, 1000, NOW).ok).toBe(false);
    for (const r of held.slice(0, 10)) ledger.settle(r, 400, NOW);
    // 10 × 600 freed: exactly 6 more fit.
    let more = 0;
    while (ledger.reserve(t, 1000, NOW).ok) more++;
    expect(more).toBe(6);
    expect(ledger.snapshot(t, NOW).day).toMatchObject({ spentMicros: 4000, reservedMicros: 46_000 });
  });

  it("counts spend already in the usage table", () => {
    const ledger = new BudgetLedger(() => 45_000);
    expect(ledger.reserve(team(), 5000, NOW).ok).toBe(true);
    expect(ledger.reserve(team(), 1, NOW).ok).toBe(false);
  });

  it("a request must fit both the day and the month; the month is reported when both are full", () => {
    const ledger = new BudgetLedger((_id, since) => (since === startOfUtcMonth(NOW) ? 90_000 : 0));
    const t = team({ dailyBudgetMicros: 50_000, monthlyBudgetMicros: 100_000 });
    expect(ledger.reserve(t, 10_000, NOW).ok).toBe(true);
    const r = ledger.reserve(t, 1, NOW);
    expect(r).toMatchObject({ ok: false, period: "month", capMicros: 100_000, spentMicros: 90_000, reservedMicros: 10_000 });
  });

  it("null caps are unlimited but still tracked", () => {
    const ledger = new BudgetLedger(() => 0);
    const t = team({ dailyBudgetMicros: null });
    const r = mustReserve(ledger, t, 10 ** 12, NOW);
    ledger.settle(r, 7, NOW);
    expect(ledger.snapshot(t, NOW).day).toMatchObject({ capMicros: null, spentMicros: 7, reservedMicros: 0 });
  });

  it("refuses amounts that are not integer micro-USD", () => {
    const ledger = new BudgetLedger(() => 0);
    expect(() => ledger.reserve(team(), 1.5, NOW)).toThrow(RangeError);
    expect(() => ledger.reserve(team(), -1, NOW)).toThrow(RangeError);
  });
});

describe("BudgetLedger.settle", () => {
  it("records an actual above the reservation and never throws; a second settle is ignored", () => {
    const ledger = new BudgetLedger(() => 0);
    const t = team({ alertThresholdPct: 0 });
    const r = mustReserve(ledger, t, 40_000, NOW);
    expect(ledger.settle(r, 60_000, NOW)).toEqual([]);
    expect(ledger.settle(r, 60_000, NOW)).toEqual([]);
    expect(ledger.snapshot(t, NOW).day).toMatchObject({ spentMicros: 60_000, reservedMicros: 0 });
    expect(ledger.outstanding("t1")).toBe(0);
    expect(ledger.reserve(t, 0, NOW).ok).toBe(false); // over the cap: nothing more today
  });
});

describe("period rollover", () => {
  it("loads spend lazily for a new period; old reservations settle into their own period", () => {
    const calls: Array<[string, number]> = [];
    const ledger = new BudgetLedger((id, since) => {
      calls.push([id, since]);
      return since === startOfUtcDay(at("2025-04-01T00:00:00Z")) ? 1234 : 0;
    });
    const t = team({ dailyBudgetMicros: 50_000, monthlyBudgetMicros: 1_000_000 });
    const before = at("2025-03-31T23:59:59Z");
    const after = at("2025-04-01T00:00:01Z");
    const old = mustReserve(ledger, t, 30_000, before);
    expect(old).toMatchObject({ dayKey: "2025-03-31", monthKey: "2025-03" });
    expect(calls).toEqual([
      ["t1", at("2025-03-31T00:00:00Z")],
      ["t1", at("2025-03-01T00:00:00Z")],
    ]);

    // The new day starts from the usage table, not from yesterday's reservations.
    expect(ledger.snapshot(t, after).day).toMatchObject({ key: "2025-04-01", spentMicros: 1234, reservedMicros: 0 });
    // 1 April is also the month's first instant, so the month loads the same 1234.
    expect(ledger.snapshot(t, after).month).toMatchObject({ key: "2025-04", spentMicros: 1234, reservedMicros: 0 });
    expect(calls.slice(2)).toEqual([
      ["t1", at("2025-04-01T00:00:00Z")],
      ["t1", at("2025-04-01T00:00:00Z")],
    ]);
    expect(ledger.reserve(t, 48_000, after).ok).toBe(true);

    ledger.settle(old, 25_000, after);
    expect(ledger.snapshot(t, after).day).toMatchObject({ spentMicros: 1234, reservedMicros: 48_000 });
    expect(calls).toHaveLength(4); // loaded once per (team, period)
  });

  it("a clock slightly behind does not reload the previous period", () => {
    let loads = 0;
    const ledger = new BudgetLedger(() => (loads++, 0));
    mustReserve(ledger, team(), 1, at("2025-04-01T00:00:00.010Z"));
    mustReserve(ledger, team(), 1, at("2025-03-31T23:59:59.990Z"));
    expect(loads).toBe(2);
    expect(ledger.snapshot(team(), at("2025-04-01T00:00:00.020Z")).day.reservedMicros).toBe(2);
  });

  it("retryAfterSeconds runs to UTC midnight or to the first of next month", () => {
    const ledger = new BudgetLedger(() => 10 ** 9);
    const daily = team({ dailyBudgetMicros: 1, monthlyBudgetMicros: null });
    // 22:30:00.250 → 1 h 29 min 59.75 s to midnight, rounded up.
    expect(ledger.reserve(daily, 1, at("2025-03-14T22:30:00.250Z"))).toMatchObject({ period: "day", retryAfterSeconds: 5400, resetsAt: at("2025-03-15T00:00:00Z") });
    expect(ledger.reserve(daily, 1, at("2025-03-14T23:59:59.999Z"))).toMatchObject({ retryAfterSeconds: 1 });

    const monthly = team({ id: "t2", dailyBudgetMicros: null, monthlyBudgetMicros: 1 });
    // Thu 27 Feb 2025 12:00 → Sat 1 Mar 00:00 = 36 h (2025 is not a leap year).
    expect(ledger.reserve(monthly, 1, at("2025-02-27T12:00:00Z"))).toMatchObject({ period: "month", retryAfterSeconds: 129_600, resetsAt: at("2025-03-01T00:00:00Z") });
    // 31 Dec 2025 00:00 → 1 Jan 2026 00:00 = 1 day.
    expect(ledger.reserve(monthly, 1, at("2025-12-31T00:00:00Z"))).toMatchObject({ retryAfterSeconds: 86_400 });
  });
});

describe("budget alerts", () => {
  const t = team({ dailyBudgetMicros: 1_000_000, monthlyBudgetMicros: null, alertThresholdPct: 80 });

  it("fire exactly once per period when settled spend reaches the threshold", () => {
    const ledger = new BudgetLedger(() => 0);
    expect(ledger.settle(mustReserve(ledger, t, 700_000, NOW), 700_000, NOW)).toEqual([]);
    // Reservations alone never alert; only settled spend counts.
    const pending = mustReserve(ledger, t, 200_000, NOW);
    expect(ledger.snapshot(t, NOW).day.alerted).toBe(false);
    expect(ledger.settle(pending, 100_000, NOW)).toEqual([
      { teamId: "t1", period: "day", periodKey: "2025-03-14", thresholdPct: 80, spentMicros: 800_000, capMicros: 1_000_000 },
    ]);
    expect(ledger.settle(mustReserve(ledger, t, 100_000, NOW), 100_000, NOW)).toEqual([]);
    expect(ledger.snapshot(t, NOW).day.alerted).toBe(true);

    const tomorrow = NOW + 86_400_000;
    const alerts = ledger.settle(mustReserve(ledger, t, 900_000, tomorrow), 900_000, tomorrow);
    expect(alerts.map((a) => a.periodKey)).toEqual(["2025-03-15"]);
  });

  it("fires for day and month together when both cross", () => {
    const ledger = new BudgetLedger(() => 0);
    const both = team({ dailyBudgetMicros: 100, monthlyBudgetMicros: 100 });
    const alerts = ledger.settle(mustReserve(ledger, both, 90, NOW), 90, NOW);
    expect(alerts.map((a) => [a.period, a.periodKey])).toEqual([
      ["day", "2025-03-14"],
      ["month", "2025-03"],
    ]);
  });

  it("markAlerted restores state after a restart, before or after the period is loaded", () => {
    const ledger = new BudgetLedger(() => 850_000);
    ledger.markAlerted("t1", "2025-03-14");
    expect(ledger.settle(mustReserve(ledger, t, 1000, NOW), 1000, NOW)).toEqual([]);

    const other = new BudgetLedger(() => 850_000);
    expect(other.snapshot(t, NOW).day.alerted).toBe(false);
    other.markAlerted("t1", "2025-03-14");
    expect(other.settle(mustReserve(other, t, 1000, NOW), 1000, NOW)).toEqual([]);

    // Without the mark, spend already past the threshold alerts on the next settle.
    const fresh = new BudgetLedger(() => 850_000);
    expect(fresh.settle(mustReserve(fresh, t, 1000, NOW), 1000, NOW)).toHaveLength(1);
  });
});

describe("invalidate", () => {
  it("reloads spend on the next touch and keeps old reservations out of the new entries", () => {
    let stored = 0;
    const ledger = new BudgetLedger(() => stored);
    const r = mustReserve(ledger, team(), 10_000, NOW);
    stored = 3000;
    ledger.invalidate("t1");
    expect(ledger.snapshot(team(), NOW).day).toMatchObject({ spentMicros: 3000, reservedMicros: 0 });
    expect(() => ledger.settle(r, 5000, NOW)).not.toThrow();
    expect(ledger.snapshot(team(), NOW).day).toMatchObject({ spentMicros: 3000, reservedMicros: 0 });
  });
});

describe("budget property: spent + reserved never exceeds a cap", () => {
  it("holds over 10k randomized reserves and settles across day and month boundaries", () => {
    const random = seededRandom(20250314);
    const DAY_CAP = 6_000_000;
    const MONTH_CAP = 9_000_000;
    const t = team({ dailyBudgetMicros: DAY_CAP, monthlyBudgetMicros: MONTH_CAP });

    // The "usage table": settled cost logged at the request's start.
    const usage: Array<{ at: number; cost: number }> = [];
    const ledger = new BudgetLedger((_id, since) => usage.reduce((s, u) => (u.at >= since ? s + u.cost : s), 0));
    // Reference model per period key.
    const model = new Map<string, { spent: number; reserved: number }>();
    const acct = (key: string) => model.get(key) ?? (model.set(key, { spent: 0, reserved: 0 }), model.get(key)!);
    const open: Array<{ r: Reservation; at: number; amount: number }> = [];

    let now = at("2025-01-31T18:00:00Z");
    let granted = 0;
    let refused = 0;
    let maxOpen = 0;
    for (let op = 0; op < 10_000; op++) {
      now += Math.floor(random() * 20_000);
      if (open.length === 0 || random() < 0.7) {
        const amount = Math.floor(random() * 20_000);
        const d = acct(dayKey(now));
        const m = acct(monthKey(now));
        const fits = d.spent + d.reserved + amount <= DAY_CAP && m.spent + m.reserved + amount <= MONTH_CAP;
        const res = ledger.reserve(t, amount, now);
        expect(res.ok).toBe(fits); // exact: never refuses what fits, never grants what does not
        if (res.ok) {
          granted++;
          d.reserved += amount;
          m.reserved += amount;
          open.push({ r: res.reservation, at: now, amount });
          maxOpen = Math.max(maxOpen, open.length);
          const snap = ledger.snapshot(t, now);
          expect(snap.day.spentMicros + snap.day.reservedMicros).toBeLessThanOrEqual(DAY_CAP);
          expect(snap.month.spentMicros + snap.month.reservedMicros).toBeLessThanOrEqual(MONTH_CAP);
          expect(snap.day).toMatchObject({ spentMicros: d.spent, reservedMicros: d.reserved });
          expect(snap.month).toMatchObject({ spentMicros: m.spent, reservedMicros: m.reserved });
        } else refused++;
      } else {
        const [h] = open.splice(Math.floor(random() * open.length), 1);
        // Mostly at or under the estimate; 2 % over it (usage disagreeing with the estimate).
        const actual = random() < 0.02 ? h!.amount + 500 : Math.floor(random() * (h!.amount + 1));
        ledger.settle(h!.r, actual, now);
        usage.push({ at: h!.at, cost: actual });
        for (const key of [dayKey(h!.at), monthKey(h!.at)]) {
          acct(key).reserved -= h!.amount;
          acct(key).spent += actual;
        }
      }
    }
    expect(ledger.outstanding("t1")).toBe(open.length);
    // The run must have spent time at the caps with many requests in flight to mean anything.
    expect(granted).toBeGreaterThan(1000);
    expect(refused).toBeGreaterThan(1000);
    expect(maxOpen).toBeGreaterThan(100);
    expect(now).toBeGreaterThan(at("2025-02-01T00:00:00Z")); // crossed a month boundary
  });
});

describe("BudgetLedger with spend loaded from a database", () => {
  it("requests arriving during the load share one query and still never pass the cap", async () => {
    const loads: Array<{ since: number; resolve: (v: number) => void }> = [];
    const ledger = new BudgetLedger((_id: string, since: number) => new Promise<number>((resolve) => loads.push({ since, resolve })));
    const pending = Array.from({ length: 20 }, () => ledger.reserve(team(), 10_000, NOW));
    // One load per period, however many requests wait on it.
    expect(loads.map((l) => l.since).sort()).toEqual([startOfUtcMonth(NOW), startOfUtcDay(NOW)].sort());
    for (const l of loads) l.resolve(l.since === startOfUtcDay(NOW) ? 15_000 : 0);
    const results = await Promise.all(pending);
    // 50,000 cap, 15,000 already spent: three holds of 10,000 fit, the rest are refused.
    expect(results.filter((r) => r.ok)).toHaveLength(3);
    const snap = await ledger.snapshot(team(), NOW);
    expect(snap.day).toMatchObject({ spentMicros: 15_000, reservedMicros: 30_000 });
    // Loaded now: the next request is answered without waiting.
    expect(ledger.reserve(team(), 1, NOW)).not.toBeInstanceOf(Promise);
  });

  it("a failed load refuses nothing for good: the next request loads again", async () => {
    let calls = 0;
    const ledger = new BudgetLedger(async () => {
      calls++;
      if (calls <= 2) throw new Error("database unavailable");
      return 0;
    });
    await expect(ledger.reserve(team(), 10, NOW)).rejects.toThrow("database unavailable");
    const r = await ledger.reserve(team(), 10, NOW);
    expect(r.ok).toBe(true);
  });
});
