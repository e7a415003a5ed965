/**
 * Admission shared by every instance: the request's rate limits (team, key, model RPM/TPM, the
 * global cap) and its team budget reservation are checked and taken together, all or none, in one
 * Redis round trip. Same bucket maths as lib/gateway/rate-limit.ts and the same reserve → settle
 * life cycle as lib/gateway/budget.ts; holds expire so a crashed instance cannot leak them.
 */
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import type { BudgetAlert, BudgetPeriod, BudgetTeam, PeriodSnapshot } from "@/lib/gateway/budget";
import { dayKey, monthKey, startOfNextUtcDay, startOfNextUtcMonth, startOfUtcDay, startOfUtcMonth } from "@/lib/gateway/period";
import { formatResetDuration, type Grant, type LimitCheck, type LimitKind, type RateLimitHeaders } from "@/lib/gateway/rate-limit";
import type { AdmitResult, BudgetRequest } from "@/lib/gateway/state";
import { ADJUST, ADMIT, SETTLE, SNAPSHOT } from "./admission-scripts";
import { defineScripts, type Scripts } from "./scripts";

const UNITS_PER_TOKEN = 60_000;
const DAY_MS = 86_400_000;

/** Settled micro-USD of a team since `sinceMs`, from the usage store; read once per period. */
export type LoadSpend = (teamId: string, sinceMs: number) => number | Promise<number>;

export interface SharedReservation {
  readonly id: string;
  readonly teamId: string;
  readonly amountMicros: number;
  readonly dayKey: string;
  readonly monthKey: string;
  /** After this (caller's clock) the hold is freed by the next admission of the team. */
  readonly expiresAt: number;
}

export interface SharedGrant {
  readonly tokenCharges: readonly { key: string; charged: number }[];
  readonly reservation: SharedReservation | null;
  adjusted: boolean;
  ended: boolean;
  /** Set when this instance admitted alone (Redis unreachable, `local` mode). */
  readonly local?: Grant;
}

export type { BudgetRequest };

/** The gateway's admission result, its grant the shared one. */
export type SharedAdmission = Exclude<AdmitResult, { ok: true }> | { ok: true; grant: SharedGrant; headers: RateLimitHeaders };

export interface RedisAdmissionOptions {
  prefix?: string;
  loadSpend: LoadSpend;
  /** A hold not settled within this is freed: longer than any request's total deadline. */
  holdTtlMs?: number;
  /** A full bucket unused this long is dropped; a full bucket equals a fresh one. */
  idleMs?: number;
}

const SCRIPTS = { admit: ADMIT, adjust: ADJUST, settle: SETTLE, snapshot: SNAPSHOT };

export class RedisAdmission {
  private readonly prefix: string;
  private readonly holdTtlMs: number;
  private readonly idleMs: number;
  private readonly scripts: Scripts<keyof typeof SCRIPTS>;

  constructor(
    private readonly redis: Redis,
    private readonly opts: RedisAdmissionOptions,
  ) {
    this.prefix = opts.prefix ?? "switchyard:";
    this.holdTtlMs = opts.holdTtlMs ?? 10 * 60_000;
    this.idleMs = opts.idleMs ?? 10 * 60_000;
    this.scripts = defineScripts(SCRIPTS);
  }

  /** Every check and the budget (if any) at once: all are taken, or none. */
  async admit(checks: readonly LimitCheck[], budget: BudgetRequest | null, now: number): Promise<SharedAdmission> {
    if (budget && (!Number.isSafeInteger(budget.amountMicros) || budget.amountMicros < 0)) {
      throw new RangeError(`budget amount must be a non-negative integer of micro-USD, got ${budget.amountMicros}`);
    }
    const active = checks.filter((c) => c.limitPerMinute > 0 && Number.isFinite(c.limitPerMinute));
    const keys = active.map((c) => this.bucketKey(c.key));
    const args: (string | number)[] = [now, active.length, this.idleMs];
    for (const c of active) args.push(c.limitPerMinute, c.cost);

    const holdId = randomUUID();
    let seeds: [number, number] = [-1, -1];
    // At most twice: the first attempt may learn that a new period's settled spend must be loaded.
    for (let attempt = 0; ; attempt++) {
      const fullKeys = [...keys];
      const fullArgs = [...args];
      if (budget) {
        const t = budget.team;
        fullKeys.push(this.periodKey(t.id, dayKey(now)), this.periodKey(t.id, monthKey(now)), this.holdsKey(t.id), this.holdKey(t.id, holdId));
        fullArgs.push(1, budget.amountMicros, t.dailyBudgetMicros ?? -1, t.monthlyBudgetMicros ?? -1, holdId, now + this.holdTtlMs, this.holdKey(t.id, ""));
        fullArgs.push(seeds[0], seeds[1], startOfNextUtcMonth(now) - now + 2 * DAY_MS, this.holdTtlMs + 2 * DAY_MS);
      } else fullArgs.push(0);
      const reply = (await this.scripts.run(this.redis, "admit", fullKeys, fullArgs)) as number[];
      const code = reply[0];
      if (code === 1) {
        const levels = reply.slice(1);
        const reservation: SharedReservation | null = budget
          ? { id: holdId, teamId: budget.team.id, amountMicros: budget.amountMicros, dayKey: dayKey(now), monthKey: monthKey(now), expiresAt: now + this.holdTtlMs }
          : null;
        const tokenCharges = active.flatMap((c) => (c.kind === "tokens" ? [{ key: c.key, charged: c.cost }] : []));
        return { ok: true, grant: { tokenCharges, reservation, adjusted: false, ended: false }, headers: headersFor(active, levels) };
      }
      if (code === 0) {
        const [, index, tooLarge, waitMs, ...levels] = reply;
        return { ok: false, reason: "rate_limit", retryAfterMs: waitMs!, failed: active[index!]!, tooLarge: tooLarge === 1, headers: headersFor(active, levels) };
      }
      if (code === 3) {
        const period: BudgetPeriod = reply[1] === 1 ? "day" : "month";
        const resetsAt = period === "day" ? startOfNextUtcDay(now) : startOfNextUtcMonth(now);
        return {
          ok: false,
          reason: "budget",
          period,
          resetsAt,
          retryAfterSeconds: Math.max(1, Math.ceil((resetsAt - now) / 1000)),
          capMicros: reply[2]!,
          spentMicros: reply[3]!,
          reservedMicros: reply[4]!,
        };
      }
      if (attempt > 0 || !budget) throw new Error("shared admission: period spend could not be seeded");
      const id = budget.team.id;
      seeds = [
        reply[1] === 1 ? await this.opts.loadSpend(id, startOfUtcDay(now)) : -1,
        reply[2] === 1 ? await this.opts.loadSpend(id, startOfUtcMonth(now)) : -1,
      ];
    }
  }

  /**
   * Corrects the TPM charges to the real token count (refund an over-estimate, charge the excess of
   * an under-estimate, flooring at empty). Only the first call counts.
   */
  async adjust(grant: SharedGrant, actualTokens: number, now: number): Promise<void> {
    if (grant.adjusted) return;
    grant.adjusted = true;
    const charges = grant.tokenCharges.filter((c) => c.charged !== actualTokens);
    if (charges.length === 0) return;
    await this.scripts.run(
      this.redis,
      "adjust",
      charges.map((c) => this.bucketKey(c.key)),
      [now, this.idleMs, ...charges.map((c) => c.charged - actualTokens)],
    );
  }

  /**
   * The actual cost replaces the hold in the periods it was made in (it may exceed the hold: it was
   * spent). A second settle, or a settle after release, is ignored. Returns thresholds crossed.
   */
  async settle(grant: SharedGrant, team: BudgetTeam, actualMicros: number): Promise<BudgetAlert[]> {
    const r = grant.reservation;
    if (!r || grant.ended) return [];
    grant.ended = true;
    const cost = Number.isFinite(actualMicros) && actualMicros > 0 ? Math.round(actualMicros) : 0;
    return this.end(r, team, cost);
  }

  /** Frees the hold with nothing spent (the request never reached an upstream). */
  async release(grant: SharedGrant): Promise<void> {
    const r = grant.reservation;
    if (!r || grant.ended) return;
    grant.ended = true;
    await this.end(r, null, -1);
  }

  async snapshot(team: BudgetTeam, now: number): Promise<{ day: PeriodSnapshot; month: PeriodSnapshot }> {
    const day = dayKey(now);
    const month = monthKey(now);
    const keys = [this.periodKey(team.id, day), this.periodKey(team.id, month), this.holdsKey(team.id)];
    const reply = (await this.scripts.run(this.redis, "snapshot", keys, [now, this.holdKey(team.id, "")])) as (string | null)[];
    const snap = (key: string, cap: number | null, i: number): PeriodSnapshot => ({
      key,
      capMicros: cap,
      spentMicros: Number(reply[i] ?? 0),
      reservedMicros: Number(reply[i + 1] ?? 0),
      alerted: reply[i + 2] !== null,
    });
    return { day: snap(day, team.dailyBudgetMicros, 0), month: snap(month, team.monthlyBudgetMicros, 3) };
  }

  /** Forgets a team's shared spend (deleted, or spend edited in the store): reloaded on next use. */
  async invalidate(teamId: string, now: number): Promise<void> {
    await this.redis.del(this.periodKey(teamId, dayKey(now)), this.periodKey(teamId, monthKey(now)));
  }

  private async end(r: SharedReservation, team: BudgetTeam | null, cost: number): Promise<BudgetAlert[]> {
    const keys = [this.holdKey(r.teamId, r.id), this.periodKey(r.teamId, r.dayKey), this.periodKey(r.teamId, r.monthKey)];
    const args = [cost, team?.dailyBudgetMicros ?? -1, team?.monthlyBudgetMicros ?? -1, team?.alertThresholdPct ?? 0];
    const reply = (await this.scripts.run(this.redis, "settle", keys, args)) as number[];
    const alerts: BudgetAlert[] = [];
    if (!team) return alerts;
    const periods = [
      { period: "day" as const, periodKey: r.dayKey, cap: team.dailyBudgetMicros, spent: reply[1]! },
      { period: "month" as const, periodKey: r.monthKey, cap: team.monthlyBudgetMicros, spent: reply[2]! },
    ];
    for (const p of periods) {
      if (p.spent < 0 || p.cap === null) continue;
      alerts.push({ teamId: r.teamId, period: p.period, periodKey: p.periodKey, thresholdPct: team.alertThresholdPct, spentMicros: p.spent, capMicros: p.cap });
    }
    return alerts;
  }

  // Hash tags keep one team's budget keys in one slot, should the Redis ever be a cluster.
  private bucketKey(key: string): string {
    return `${this.prefix}rl:${key}`;
  }
  private periodKey(teamId: string, period: string): string {
    return `${this.prefix}budget:{${teamId}}:${period}`;
  }
  private holdsKey(teamId: string): string {
    return `${this.prefix}budget:{${teamId}}:holds`;
  }
  private holdKey(teamId: string, id: string): string {
    return `${this.prefix}budget:{${teamId}}:hold:${id}`;
  }
}

// Per kind, the bucket closest to empty relative to its limit, as the in-memory limiter reports.
function headersFor(checks: readonly LimitCheck[], levels: readonly number[]): RateLimitHeaders {
  const best = new Map<LimitKind, { limit: number; level: number; ratio: number }>();
  checks.forEach((c, i) => {
    const level = levels[i]!;
    const ratio = level / UNITS_PER_TOKEN / c.limitPerMinute;
    const cur = best.get(c.kind);
    if (!cur || ratio < cur.ratio) best.set(c.kind, { limit: c.limitPerMinute, level, ratio });
  });
  const headers: RateLimitHeaders = {};
  for (const [kind, b] of best) {
    headers[`x-ratelimit-limit-${kind}`] = String(b.limit);
    headers[`x-ratelimit-remaining-${kind}`] = String(Math.floor(b.level / UNITS_PER_TOKEN));
    headers[`x-ratelimit-reset-${kind}`] = formatResetDuration(Math.ceil((b.limit * UNITS_PER_TOKEN - b.level) / b.limit));
  }
  return headers;
}
