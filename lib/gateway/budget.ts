// Exact team budgets under concurrency (step 5): a request's worst-case cost is reserved against
// the daily and monthly caps before the upstream call and settled to the real cost afterwards.
// The check-and-reserve step is synchronous, so it is atomic within the Node process and
// concurrent requests can never push spent + reserved past a cap; only loading a new period's
// settled spend waits for the store, and every request touching that period shares the one load.
// All amounts are integer micro-USD.

import { dayKey, monthKey, startOfNextUtcDay, startOfNextUtcMonth, startOfUtcDay, startOfUtcMonth } from "./period";

export type BudgetPeriod = "day" | "month";

export interface BudgetTeam {
  id: string;
  /** null = no cap */
  dailyBudgetMicros: number | null;
  monthlyBudgetMicros: number | null;
  /** Alert when settled spend reaches this % of a cap; 0 or less disables alerts. */
  alertThresholdPct: number;
}

export interface PeriodSnapshot {
  key: string;
  capMicros: number | null;
  spentMicros: number;
  reservedMicros: number;
  alerted: boolean;
}

export interface BudgetAlert {
  teamId: string;
  period: BudgetPeriod;
  periodKey: string;
  thresholdPct: number;
  spentMicros: number;
  capMicros: number;
}

export interface BudgetSnapshot {
  day: PeriodSnapshot;
  month: PeriodSnapshot;
}

export interface Reservation {
  readonly teamId: string;
  readonly amountMicros: number;
  readonly dayKey: string;
  readonly monthKey: string;
}

export type ReserveResult =
  | { ok: true; reservation: Reservation }
  | {
      ok: false;
      period: BudgetPeriod;
      retryAfterSeconds: number;
      /** When the period resets (epoch ms): Retry-After is this rounded up to whole seconds. */
      resetsAt: number;
      capMicros: number;
      spentMicros: number;
      reservedMicros: number;
    };

/** Settled micro-USD of a team from the usage table since `sinceMs`. */
export type LoadSpend = (teamId: string, sinceMs: number) => number | Promise<number>;

/** A ledger whose spend loads at once answers at once; one that loads from a database may wait. */
type Answer<L extends LoadSpend, T> = L extends (teamId: string, sinceMs: number) => number ? T : T | Promise<T>;

// One (team, period) account. Cap and threshold are the latest seen, so settling uses them.
interface Entry {
  readonly period: BudgetPeriod;
  readonly key: string;
  readonly endsAt: number;
  spent: number;
  reserved: number;
  cap: number | null;
  thresholdPct: number;
  alerted: boolean;
}

interface TeamState {
  day: Entry | null;
  month: Entry | null;
  /** Loads of a new period's settled spend in progress, by period key. */
  loading: Map<string, Promise<void>> | null;
  outstanding: number;
  /** Period keys marked alerted before their entry existed (restored after a restart). */
  alertedKeys: Set<string> | null;
}

// A reservation holds its entries directly: one made before midnight settles into the old day
// even after the team has moved on, with no lookup.
interface Held extends Reservation {
  readonly state: TeamState;
  readonly day: Entry;
  readonly month: Entry;
  settled: boolean;
}

const NO_ALERTS: readonly BudgetAlert[] = Object.freeze([]);

export class BudgetLedger<L extends LoadSpend = LoadSpend> {
  private readonly teams = new Map<string, TeamState>();

  constructor(private readonly loadSpend: L) {}

  /** At once when the team's current periods are loaded; else once their settled spend is. */
  reserve(team: BudgetTeam, amountMicros: number, now: number): Answer<L, ReserveResult> {
    if (!Number.isSafeInteger(amountMicros) || amountMicros < 0) {
      throw new RangeError(`budget amount must be a non-negative integer of micro-USD, got ${amountMicros}`);
    }
    const state = this.stateOf(team.id);
    const loading = this.load(state, team, now);
    // Checked again after the wait: other requests may have reserved meanwhile.
    const result = loading ? loading.then(() => this.reserveLoaded(state, team, amountMicros, now)) : this.reserveLoaded(state, team, amountMicros, now);
    return result as Answer<L, ReserveResult>;
  }

  private reserveLoaded(state: TeamState, team: BudgetTeam, amountMicros: number, now: number): ReserveResult {
    const day = this.current(state, team, "day", now);
    const month = this.current(state, team, "month", now);
    const overMonth = exceeds(month, amountMicros);
    // When both are exhausted the month is reported: its reset is the one worth waiting for.
    if (overMonth || exceeds(day, amountMicros)) {
      const e = overMonth ? month : day;
      return {
        ok: false,
        period: e.period,
        retryAfterSeconds: Math.max(1, Math.ceil((e.endsAt - now) / 1000)),
        resetsAt: e.endsAt,
        capMicros: e.cap!,
        spentMicros: e.spent,
        reservedMicros: e.reserved,
      };
    }
    day.reserved += amountMicros;
    month.reserved += amountMicros;
    state.outstanding++;
    const held: Held = {
      teamId: team.id,
      amountMicros,
      dayKey: day.key,
      monthKey: month.key,
      state,
      day,
      month,
      settled: false,
    };
    return { ok: true, reservation: held };
  }

  /**
   * Releases the reservation and books the actual cost into the periods it was made in. The actual
   * may exceed the reservation (e.g. a provider's usage disagreed with the estimate): it is booked
   * anyway, since it was spent. Never throws; a second settle of the same reservation is ignored.
   * `now` is not needed: a reservation settles into its own periods whenever it ends.
   */
  settle(reservation: Reservation, actualMicros: number, _now: number): readonly BudgetAlert[] {
    const held = reservation as Held;
    if (held.settled) return NO_ALERTS;
    held.settled = true;
    held.state.outstanding--;
    const cost = Number.isFinite(actualMicros) && actualMicros > 0 ? Math.round(actualMicros) : 0;
    const alerts = book(held.day, held, cost, NO_ALERTS);
    return book(held.month, held, cost, alerts);
  }

  snapshot(team: BudgetTeam, now: number): Answer<L, BudgetSnapshot> {
    const state = this.stateOf(team.id);
    const loading = this.load(state, team, now);
    const result = loading ? loading.then(() => this.snapshotLoaded(state, team, now)) : this.snapshotLoaded(state, team, now);
    return result as Answer<L, BudgetSnapshot>;
  }

  private snapshotLoaded(state: TeamState, team: BudgetTeam, now: number): BudgetSnapshot {
    return {
      day: toSnapshot(this.current(state, team, "day", now)),
      month: toSnapshot(this.current(state, team, "month", now)),
    };
  }

  /** Restores "already alerted" for a period from stored events, e.g. after a restart. */
  markAlerted(teamId: string, periodKey: string): void {
    const state = this.stateOf(teamId);
    if (state.day?.key === periodKey) state.day.alerted = true;
    else if (state.month?.key === periodKey) state.month.alerted = true;
    else (state.alertedKeys ??= new Set()).add(periodKey);
  }

  /**
   * Forgets a team (deleted): its spend reloads on next touch. Outstanding reservations still
   * settle, into the forgotten entries, so they cannot corrupt the reloaded ones.
   */
  invalidate(teamId: string): void {
    this.teams.delete(teamId);
  }

  /** Reservations not yet settled. */
  outstanding(teamId: string): number {
    return this.teams.get(teamId)?.outstanding ?? 0;
  }

  private stateOf(teamId: string): TeamState {
    let state = this.teams.get(teamId);
    if (!state) {
      state = { day: null, month: null, loading: null, outstanding: 0, alertedKeys: null };
      this.teams.set(teamId, state);
    }
    return state;
  }

  /**
   * Null when both periods containing `now` are in memory; else a promise that resolves once their
   * settled spend is. Only forward rollover: a `now` slightly behind (clock skew between requests)
   * keeps using the current entry instead of reloading the previous period.
   */
  private load(state: TeamState, team: BudgetTeam, now: number): Promise<void> | null {
    const pending: Promise<void>[] = [];
    for (const period of ["day", "month"] as const) {
      const e = state[period];
      if (e && now < e.endsAt) continue;
      const key = period === "day" ? dayKey(now) : monthKey(now);
      let p = state.loading?.get(key);
      if (!p) {
        const since = period === "day" ? startOfUtcDay(now) : startOfUtcMonth(now);
        const spent = this.loadSpend(team.id, since);
        if (typeof spent === "number") {
          this.install(state, period, key, now, spent);
          continue;
        }
        // A failed load installs nothing, and is forgotten: the next request tries again.
        p = spent.then((value) => this.install(state, period, key, now, value)).finally(() => state.loading?.delete(key));
        (state.loading ??= new Map()).set(key, p);
      }
      pending.push(p);
    }
    if (pending.length === 0) return null;
    return pending.length === 1 ? pending[0]! : Promise.all(pending).then(() => undefined);
  }

  private install(state: TeamState, period: BudgetPeriod, key: string, now: number, spent: number): void {
    const e = state[period];
    // A load that finished after the team moved to a later period (or another load won) changes nothing.
    if (e && (e.key === key || now < e.endsAt)) return;
    state[period] = {
      period,
      key,
      endsAt: period === "day" ? startOfNextUtcDay(now) : startOfNextUtcMonth(now),
      spent,
      reserved: 0,
      cap: null,
      thresholdPct: 0,
      alerted: state.alertedKeys?.delete(key) ?? false,
    };
  }

  // The loaded entry for the period containing `now`, with the team's latest cap and threshold.
  private current(state: TeamState, team: BudgetTeam, period: BudgetPeriod, _now: number): Entry {
    const e = state[period]!;
    e.cap = period === "day" ? team.dailyBudgetMicros : team.monthlyBudgetMicros;
    e.thresholdPct = team.alertThresholdPct;
    return e;
  }
}

function exceeds(e: Entry, amount: number): boolean {
  return e.cap !== null && e.spent + e.reserved + amount > e.cap;
}

// Integer comparison (spent·100 ≥ cap·pct) so 80 % of a cap is exact, not a float ratio.
function crossedThreshold(e: Entry): boolean {
  return !e.alerted && e.cap !== null && e.cap > 0 && e.thresholdPct > 0 && e.spent * 100 >= e.cap * e.thresholdPct;
}

function book(e: Entry, held: Held, cost: number, alerts: readonly BudgetAlert[]): readonly BudgetAlert[] {
  e.reserved -= held.amountMicros;
  e.spent += cost;
  if (!crossedThreshold(e)) return alerts;
  e.alerted = true;
  const alert: BudgetAlert = {
    teamId: held.teamId,
    period: e.period,
    periodKey: e.key,
    thresholdPct: e.thresholdPct,
    spentMicros: e.spent,
    capMicros: e.cap!,
  };
  return [...alerts, alert];
}

function toSnapshot(e: Entry): PeriodSnapshot {
  return { key: e.key, capMicros: e.cap, spentMicros: e.spent, reservedMicros: e.reserved, alerted: e.alerted };
}
