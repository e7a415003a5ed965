/**
 * Shared admission with the outage policy applied. In `local` mode this instance's own token
 * buckets stand in for the shared ones, but a team with a budget cap is still refused: without the
 * shared ledger no instance can know what the others spent, and a cap must never be overrun.
 * Settles that cannot reach Redis are kept and replayed once it is back (the hold stays reserved
 * meanwhile, which errs on the safe side).
 */
import type { BudgetAlert, BudgetSnapshot, BudgetTeam } from "@/lib/gateway/budget";
import { RateLimiter, type LimitCheck } from "@/lib/gateway/rate-limit";
import type { BudgetRequest, RedisAdmission, SharedAdmission, SharedGrant } from "./admission";
import type { Availability } from "./availability";

export class ResilientAdmission {
  private readonly local = new RateLimiter();
  private readonly pending: (() => Promise<unknown>)[] = [];
  /** Teams admitted without the shared ledger: their shared tally is reloaded from the store after. */
  private readonly touched = new Set<string>();
  private replaying: Promise<void> | null = null;

  constructor(
    private readonly shared: RedisAdmission,
    private readonly availability: Availability,
    private readonly now: () => number = Date.now,
  ) {}

  admit(checks: readonly LimitCheck[], budget: BudgetRequest | null, now: number): Promise<SharedAdmission> {
    return this.availability.run(
      () => this.shared.admit(checks, budget, now),
      () => this.admitLocally(checks, budget, now),
    );
  }

  async adjust(grant: SharedGrant, actualTokens: number, now: number): Promise<void> {
    if (grant.local) return this.local.adjust(grant.local, actualTokens, now);
    // A lost correction only leaves a TPM bucket off for at most a minute: not worth a retry.
    await this.shared.adjust(grant, actualTokens, now).catch((err: unknown) => this.availability.noteFailure(err));
  }

  /** Never throws for an outage: the settle is replayed when Redis is back. */
  async settle(grant: SharedGrant, team: BudgetTeam, actualMicros: number): Promise<BudgetAlert[]> {
    if (!grant.reservation || grant.ended) return [];
    try {
      return await this.shared.settle(grant, team, actualMicros);
    } catch (err) {
      this.availability.noteFailure(err);
      grant.ended = false;
      this.pending.push(() => this.shared.settle(grant, team, actualMicros));
      return [];
    }
  }

  async release(grant: SharedGrant): Promise<void> {
    if (!grant.reservation || grant.ended) return;
    try {
      await this.shared.release(grant);
    } catch (err) {
      this.availability.noteFailure(err);
      grant.ended = false;
      this.pending.push(() => this.shared.release(grant));
    }
  }

  /** The team's shared periods; refused (503) while Redis is unreachable. */
  snapshot(team: BudgetTeam, now: number): Promise<BudgetSnapshot> {
    return this.availability.run(
      () => this.shared.snapshot(team, now),
      () => {
        throw this.availability.refusal();
      },
    );
  }

  /** The team's spend is read from the store again (changed or deleted); an outage makes it wait for recovery. */
  async invalidate(teamId: string, now: number): Promise<void> {
    try {
      await this.shared.invalidate(teamId, now);
    } catch (err) {
      this.availability.noteFailure(err);
      this.touched.add(teamId);
    }
  }

  /** Settles waiting for Redis. */
  get backlog(): number {
    return this.pending.length;
  }

  /** Replays what the outage held back; called when Redis is reachable again. */
  recover(): Promise<void> {
    this.replaying ??= this.replay().finally(() => {
      this.replaying = null;
    });
    return this.replaying;
  }

  // In order, each step leaving the backlog only once Redis took it; a failure starts a new
  // outage, whose end replays the rest.
  private async replay(): Promise<void> {
    while (this.pending.length > 0) {
      try {
        await this.pending[0]!();
        this.pending.shift();
      } catch (err) {
        this.availability.noteFailure(err);
        return;
      }
    }
    const teams = [...this.touched];
    this.touched.clear();
    await Promise.all(teams.map((id) => this.shared.invalidate(id, this.now()).catch(() => undefined)));
  }

  private admitLocally(checks: readonly LimitCheck[], budget: BudgetRequest | null, now: number): SharedAdmission {
    const team = budget?.team;
    if (team && (team.dailyBudgetMicros !== null || team.monthlyBudgetMicros !== null)) throw this.availability.refusal();
    const result = this.local.admit(checks, now);
    if (!result.ok) return { ...result, reason: "rate_limit" };
    if (team) this.touched.add(team.id);
    return { ok: true, headers: result.headers, grant: { tokenCharges: [], reservation: null, adjusted: false, ended: false, local: result.grant } };
  }
}
