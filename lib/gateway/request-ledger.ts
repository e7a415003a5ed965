/**
 * What one request has learned so far, turned into its usage row exactly once. Finishing settles
 * everything the request took: rate-limit grants to the real token count, the budget reservation
 * to the real cost (an overrun recorded as an event), and the row goes to the store and observers.
 */
import type { BudgetAlert, BudgetTeam } from "./budget";
import { costMicros, type Prices } from "./cost";
import type { GatewayCore } from "./gateway";
import type { AdmissionGrant } from "./state";
import type { UpstreamTarget } from "./upstream";
import type { UsageRecord, UsageStatus } from "./types";

export class RequestLedger {
  readonly row: UsageRecord;
  /** The caller's admission and each model's, to correct to the real token count. */
  readonly grants: AdmissionGrant[] = [];
  private held: { grant: AdmissionGrant; team: BudgetTeam } | null = null;
  private done = false;

  constructor(
    private readonly gw: GatewayCore,
    requestId: string,
    readonly startedAt: number,
    private readonly onUsage?: (row: UsageRecord) => void,
  ) {
    this.row = {
      requestId, endpoint: "chat", createdAt: startedAt, teamId: null, keyId: null, userId: null, routeId: null, variant: null,
      stickyKey: null, requestedModel: null, servedModel: null, providerId: null, attempts: 0, fallbackUsed: false,
      stream: false, status: "ok", httpStatus: 200, errorType: null, promptTokens: 0, completionTokens: 0,
      costMicros: 0, latencyMs: 0, ttftMs: null, queueMs: null, firstByteMs: null, cache: null, savedMicros: 0,
    };
  }

  /** The caller's admission: its token charges and the team's budget hold. */
  admitted(grant: AdmissionGrant, team: BudgetTeam): void {
    this.grants.push(grant);
    if (grant.reservation) this.held = { grant, team };
  }

  served(target: UpstreamTarget | null, attempts: number, fallbackUsed: boolean, firstByteAt: number | null = null): void {
    this.row.attempts = attempts;
    if (firstByteAt !== null) this.row.firstByteMs = Math.max(0, Math.round(firstByteAt - this.startedAt));
    this.row.fallbackUsed = fallbackUsed;
    if (target) {
      this.row.servedModel = target.model.name;
      this.row.providerId = target.provider.id;
    }
  }

  finish(status: UsageStatus, httpStatus: number, errorType: string | null, tokens?: { prompt: number; completion: number; prices: Prices }): void {
    if (this.done) return;
    this.done = true;
    const { deps } = this.gw;
    const now = deps.now();
    const r = this.row;
    r.status = status;
    r.httpStatus = httpStatus;
    r.errorType = errorType;
    r.latencyMs = Math.max(0, Math.round(now - this.startedAt));
    if (tokens) {
      r.promptTokens = tokens.prompt;
      r.completionTokens = tokens.completion;
      r.costMicros = costMicros(tokens.prices, tokens.prompt, tokens.completion);
    }
    for (const grant of this.grants) this.behind(deps.admission.adjust(grant, r.promptTokens + r.completionTokens, now));
    if (this.held) {
      const reserved = this.held.grant.reservation!.amountMicros;
      if (r.costMicros > reserved) this.overrun(reserved);
      const alerts = deps.admission.settle(this.held.grant, this.held.team, r.costMicros, now);
      if (alerts instanceof Promise) this.behind(alerts.then((a) => this.alert(a)));
      else this.alert(alerts);
    }
    deps.store.recordUsage(r);
    this.gw.observe(r);
    this.onUsage?.(r);
  }

  private alert(alerts: readonly BudgetAlert[]): void {
    for (const alert of alerts) {
      this.gw.deps.store.recordEvent({ type: "budget.alert", subjectType: "team", subjectId: alert.teamId, actor: "system", data: { ...alert } });
    }
  }

  // Shared state answers over the network: the row is not held back for it, and a failure is logged.
  private behind(step: unknown): void {
    if (step instanceof Promise) step.catch((err: unknown) => this.gw.deps.log.error("settling a request's admission failed", { requestId: this.row.requestId, error: String(err) }));
  }

  // The upstream produced more than it was allowed (or counted its prompt higher than the
  // estimate): the real cost is booked all the same, and the event says by how much.
  private overrun(reservedMicros: number): void {
    const r = this.row;
    this.gw.deps.store.recordEvent({
      type: "budget.overrun",
      subjectType: "team",
      subjectId: r.teamId ?? "",
      actor: "system",
      data: {
        requestId: r.requestId, servedModel: r.servedModel, stream: r.stream, reservedMicros, costMicros: r.costMicros,
        overMicros: r.costMicros - reservedMicros, promptTokens: r.promptTokens, completionTokens: r.completionTokens,
      },
    });
  }
}
