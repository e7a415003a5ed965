/** Admin service for teams: limits, budgets, and spend read back from recorded usage. */
import { z } from "zod";
import { listEvents } from "@/db/queries/events";
import { deleteTeam as deleteTeamRow, getTeamById, getTeamByName, insertTeam, listTeams as listTeamRows, updateTeam } from "@/db/queries/teams";
import { sumTeamSpendSince } from "@/db/queries/usage";
import type { TeamRow } from "@/db/schema";
import type { PeriodSnapshot } from "../gateway/budget";
import { microsToUsd, usdToMicros } from "../gateway/cost";
import { conflict, notFound } from "../gateway/errors";
import { startOfUtcDay, startOfUtcMonth } from "../gateway/period";
import type { ResponseCacheSetting } from "../gateway/response-cache";
import { newId, toIso, type AdminContext } from "./context";
import { toEventView, type EventView } from "./events";
import { displayName, parseInput, perMinuteLimit, usdAmount } from "./schemas";

const DEFAULT_ALERT_THRESHOLD_PCT = 80;
const CACHE_OFF: ResponseCacheSetting = { mode: "off", ttlSeconds: 3600 };
const ALERTS_SHOWN = 50;

const fields = {
  name: displayName,
  rpmLimit: perMinuteLimit,
  tpmLimit: perMinuteLimit,
  dailyBudgetUsd: usdAmount.nullable(),
  monthlyBudgetUsd: usdAmount.nullable(),
  alertThresholdPct: z.int().min(1).max(100),
  /** Model and route names the team may use; null lets it use every one. */
  allowedModels: z.array(z.string().min(1).max(128)).max(500).nullable(),
  /** The exact-match response cache; null or mode "off" turns it off. */
  responseCache: z.strictObject({ mode: z.enum(["off", "deterministic", "all"]), ttlSeconds: z.int().min(1).max(30 * 24 * 3600) }).nullable(),
};

const createSchema = z.strictObject({
  name: fields.name,
  rpmLimit: fields.rpmLimit.optional(),
  tpmLimit: fields.tpmLimit.optional(),
  dailyBudgetUsd: fields.dailyBudgetUsd.optional(),
  monthlyBudgetUsd: fields.monthlyBudgetUsd.optional(),
  alertThresholdPct: fields.alertThresholdPct.optional(),
  allowedModels: fields.allowedModels.optional(),
  responseCache: fields.responseCache.optional(),
});

const patchSchema = z.strictObject(fields).partial();

export interface TeamView {
  id: string;
  name: string;
  rpmLimit: number | null;
  tpmLimit: number | null;
  dailyBudgetUsd: number | null;
  monthlyBudgetUsd: number | null;
  alertThresholdPct: number;
  allowedModels: string[] | null;
  responseCache: ResponseCacheSetting;
  spentTodayUsd: number;
  spentThisMonthUsd: number;
  createdAt: string;
  updatedAt: string;
}

interface BudgetPeriodView {
  periodKey: string;
  capUsd: number | null;
  spentUsd: number;
  /** Worst-case cost of requests in flight. */
  reservedUsd: number;
  alerted: boolean;
}

export interface TeamDetailView extends TeamView {
  budget: { day: BudgetPeriodView; month: BudgetPeriodView };
  alerts: EventView[];
}

const usdOrNull = (micros: number | null): number | null => (micros === null ? null : microsToUsd(micros));
const microsOrNull = (usd: number | null | undefined): number | null | undefined => (usd == null ? usd : usdToMicros(usd));

/** Callers flush queued usage first, so spend includes requests that finished a moment ago. */
async function toView(row: TeamRow, now: number): Promise<TeamView> {
  return {
    id: row.id,
    name: row.name,
    rpmLimit: row.rpmLimit,
    tpmLimit: row.tpmLimit,
    dailyBudgetUsd: usdOrNull(row.dailyBudgetMicros),
    monthlyBudgetUsd: usdOrNull(row.monthlyBudgetMicros),
    alertThresholdPct: row.alertThresholdPct,
    allowedModels: row.allowedModels ?? null,
    responseCache: row.responseCache ?? CACHE_OFF,
    spentTodayUsd: microsToUsd(await sumTeamSpendSince({ teamId: row.id, since: startOfUtcDay(now) })),
    spentThisMonthUsd: microsToUsd(await sumTeamSpendSince({ teamId: row.id, since: startOfUtcMonth(now) })),
    createdAt: toIso(row.createdAt),
    updatedAt: toIso(row.updatedAt),
  };
}

const periodView = (p: PeriodSnapshot): BudgetPeriodView => ({
  periodKey: p.key,
  capUsd: usdOrNull(p.capMicros),
  spentUsd: microsToUsd(p.spentMicros),
  reservedUsd: microsToUsd(p.reservedMicros),
  alerted: p.alerted,
});

async function requireTeam(id: string): Promise<TeamRow> {
  const row = await getTeamById({ id });
  if (!row) throw notFound(`No team with id '${id}'.`);
  return row;
}

async function assertNameFree(name: string, exceptId?: string): Promise<void> {
  const existing = await getTeamByName({ name });
  if (existing && existing.id !== exceptId) throw conflict(`A team named '${name}' already exists.`, "name");
}

export async function listTeams(ctx: AdminContext): Promise<{ data: TeamView[] }> {
  await ctx.usage.flush();
  const now = ctx.now();
  return { data: await Promise.all((await listTeamRows()).map((row) => toView(row, now))) };
}

export async function getTeam(ctx: AdminContext, id: string): Promise<TeamDetailView> {
  const row = await requireTeam(id);
  await ctx.usage.flush();
  const now = ctx.now();
  const snap = await ctx.gateway.budgets.snapshot(
    { id: row.id, dailyBudgetMicros: row.dailyBudgetMicros, monthlyBudgetMicros: row.monthlyBudgetMicros, alertThresholdPct: row.alertThresholdPct },
    now,
  );
  const alerts = await listEvents({ subjectType: "team", subjectId: id, type: "budget.alert", limit: ALERTS_SHOWN });
  return { ...(await toView(row, now)), budget: { day: periodView(snap.day), month: periodView(snap.month) }, alerts: alerts.map(toEventView) };
}

export async function createTeam(ctx: AdminContext, input: unknown): Promise<TeamView> {
  const body = parseInput(createSchema, input);
  await assertNameFree(body.name);
  const now = ctx.now();
  const row = await insertTeam({
    id: newId("team"),
    name: body.name,
    rpmLimit: body.rpmLimit ?? null,
    tpmLimit: body.tpmLimit ?? null,
    dailyBudgetMicros: microsOrNull(body.dailyBudgetUsd) ?? null,
    monthlyBudgetMicros: microsOrNull(body.monthlyBudgetUsd) ?? null,
    alertThresholdPct: body.alertThresholdPct ?? DEFAULT_ALERT_THRESHOLD_PCT,
    allowedModels: body.allowedModels ?? null,
    responseCache: body.responseCache ?? null,
    createdAt: now,
    updatedAt: now,
  });
  return toView(row, now);
}

export async function patchTeam(ctx: AdminContext, id: string, input: unknown): Promise<TeamView> {
  const body = parseInput(patchSchema, input);
  await requireTeam(id);
  if (body.name !== undefined) await assertNameFree(body.name, id);
  const now = ctx.now();
  // Cached callers (a key and its team's limits) are marked stale by the update itself.
  const row = await updateTeam({
    id,
    now,
    patch: {
      name: body.name,
      rpmLimit: body.rpmLimit,
      tpmLimit: body.tpmLimit,
      dailyBudgetMicros: microsOrNull(body.dailyBudgetUsd),
      monthlyBudgetMicros: microsOrNull(body.monthlyBudgetUsd),
      alertThresholdPct: body.alertThresholdPct,
      allowedModels: body.allowedModels,
      responseCache: body.responseCache,
      updatedAt: now,
    },
  });
  if (!row) throw notFound(`No team with id '${id}'.`);
  await ctx.usage.flush();
  return toView(row, now);
}

export async function deleteTeam(ctx: AdminContext, id: string): Promise<{ id: string; deleted: true }> {
  if (!(await deleteTeamRow({ id, now: ctx.now() }))) throw notFound(`No team with id '${id}'.`);
  await ctx.gateway.budgets.invalidate(id, ctx.now());
  return { id, deleted: true };
}
