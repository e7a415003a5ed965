/** Admin service for routes: traffic splits between a control and a candidate, with their audit trail. */
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { listEvents } from "@/db/queries/events";
import { getModelByName } from "@/db/queries/models";
import { deleteRouteWithEvent, getRouteById, getRouteByName, insertRouteWithEvent, listRouteUsageBetween, listRouteUsageSince, listRoutes as listRouteRows, updateRouteWithEvent } from "@/db/queries/routes";
import type { RouteRow } from "@/db/schema";
import { badRequest, conflict, notFound } from "../gateway/errors";
import { DEFAULT_GUARDRAILS, summarize } from "../rollout/evaluator";
import { applyAction, guardrailsOf, type RouteAction } from "../rollout/route-state";
import { bucketSeries, type Assignment } from "../rollout/series";
import { buildWindows } from "../rollout/windows";
import { toIso, toIsoOrNull, type AdminContext } from "./context";
import { toEventView, type EventView } from "./events";
import { parseInput } from "./schemas";

const DEFAULT_STAGES = [5, 25, 50, 100];
const EVENTS_SHOWN = 100;

const routeName = z.string().min(1).max(128).regex(/^\S+$/, "must not contain whitespace");
const modelRef = z.string().min(1).max(128);
const weight = z.number().min(0, "must be between 0 and 100").max(100, "must be between 0 and 100");
const stages = z
  .array(z.number().gt(0, "each stage must be above 0").max(100, "each stage must be at most 100"))
  .min(1)
  .max(20)
  .refine((s) => s.every((v, i) => i === 0 || v > s[i - 1]!), "stages must be strictly increasing");
const ratio = z.number().gt(0).max(1000).nullable();
const guardrails = z.strictObject({
  maxErrorRate: z.number().min(0).max(1),
  maxP95LatencyMs: z.int().min(1).max(3_600_000).nullable(),
  maxP95TtftMs: z.int().min(1).max(3_600_000).nullable(),
  minSamples: z.int().min(1).max(10_000_000),
  errorRateMargin: z.number().min(0).max(1),
  maxLatencyRatio: ratio,
  maxTtftRatio: ratio,
  maxCostRatio: ratio,
});

const fields = {
  name: routeName,
  control: modelRef,
  candidate: modelRef.nullable(),
  candidateWeight: weight,
  stages,
  stickyBy: z.enum(["auto", "conversation", "user", "key", "request"]),
  guardrails: guardrails.partial(),
  evalIntervalSeconds: z.int().min(1).max(86_400),
  minStageSeconds: z.int().min(0).max(30 * 86_400),
  autoAdvance: z.boolean(),
};
const createSchema = z.strictObject(fields).partial().required({ name: true, control: true });
const patchSchema = z.strictObject(fields).partial();

export interface VariantView {
  name: "control" | "candidate";
  model: string;
  weight: number;
  metrics: ReturnType<typeof summarize>;
}

export interface RouteView {
  id: string;
  name: string;
  status: RouteRow["status"];
  control: string;
  candidate: string | null;
  candidateWeight: number;
  variants: VariantView[];
  stages: number[];
  stageIndex: number;
  stageStartedAt: string;
  stickyBy: RouteRow["stickyBy"];
  guardrails: typeof DEFAULT_GUARDRAILS;
  evalIntervalSeconds: number;
  minStageSeconds: number;
  autoAdvance: boolean;
  lastEvaluatedAt: string | null;
  lastDecision: Record<string, unknown> | null;
  createdAt: string;
  updatedAt: string;
  events?: EventView[];
}

async function toView(ctx: AdminContext, row: RouteRow, withEvents: boolean): Promise<RouteView> {
  await ctx.usage.flush();
  const windows = buildWindows(await listRouteUsageSince({ routeId: row.id, since: row.stageStartedAt }));
  const variants: VariantView[] = [{ name: "control", model: row.controlModel, weight: 100 - row.candidateWeight, metrics: summarize(windows.control) }];
  if (row.candidateModel) variants.push({ name: "candidate", model: row.candidateModel, weight: row.candidateWeight, metrics: summarize(windows.candidate) });
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    control: row.controlModel,
    candidate: row.candidateModel,
    candidateWeight: row.candidateWeight,
    variants,
    stages: row.stages,
    stageIndex: row.stageIndex,
    stageStartedAt: toIso(row.stageStartedAt),
    stickyBy: row.stickyBy,
    guardrails: guardrailsOf(row),
    evalIntervalSeconds: row.evalIntervalSeconds,
    minStageSeconds: row.minStageSeconds,
    autoAdvance: row.autoAdvance,
    lastEvaluatedAt: toIsoOrNull(row.lastEvaluatedAt),
    lastDecision: row.lastDecision ?? null,
    createdAt: toIso(row.createdAt),
    updatedAt: toIso(row.updatedAt),
    ...(withEvents
      ? { events: (await listEvents({ subjectType: "route", subjectId: row.id, limit: EVENTS_SHOWN })).map(toEventView) }
      : {}),
  };
}

async function requireModel(name: string, param: string): Promise<void> {
  if (!(await getModelByName({ name }))) throw badRequest(`Unknown model '${name}'. Create it first or pick an existing model.`, param, "unknown_model");
}

async function requireRoute(id: string): Promise<RouteRow> {
  const row = await getRouteById({ id });
  if (!row) throw notFound(`No route with id '${id}'.`);
  return row;
}

const actorOf = (ctx: AdminContext) => ctx.actor ?? "system";

export async function listRoutes(ctx: AdminContext): Promise<{ data: RouteView[] }> {
  return { data: await Promise.all((await listRouteRows()).map((r) => toView(ctx, r, false))) };
}

export async function getRoute(ctx: AdminContext, id: string): Promise<RouteView> {
  return toView(ctx, await requireRoute(id), true);
}

export async function createRoute(ctx: AdminContext, input: unknown): Promise<RouteView> {
  const body = parseInput(createSchema, input);
  if (await getModelByName({ name: body.name })) throw badRequest(`The route name '${body.name}' is already a model name; clients could not tell them apart.`, "name", "shadows_model");
  if (await getRouteByName({ name: body.name })) throw conflict(`A route named '${body.name}' already exists.`, "name");
  await requireModel(body.control, "control");
  const candidate = body.candidate ?? null;
  if (candidate) {
    await requireModel(candidate, "candidate");
    if (candidate === body.control) throw badRequest("The candidate must differ from the control.", "candidate");
  }
  const stageList = body.stages ?? DEFAULT_STAGES;
  const now = ctx.now();
  const id = `route_${randomBytes(12).toString("hex")}`;
  const row = await insertRouteWithEvent(
    {
      id,
      name: body.name,
      seed: randomBytes(16).toString("hex"),
      status: "running",
      controlModel: body.control,
      candidateModel: candidate,
      candidateWeight: candidate ? body.candidateWeight ?? stageList[0]! : 0,
      stages: stageList,
      stageIndex: 0,
      stageStartedAt: now,
      stickyBy: body.stickyBy ?? "auto",
      guardrails: { ...DEFAULT_GUARDRAILS, ...body.guardrails },
      evalIntervalSeconds: body.evalIntervalSeconds ?? 30,
      minStageSeconds: body.minStageSeconds ?? 600,
      autoAdvance: body.autoAdvance ?? true,
      createdAt: now,
      updatedAt: now,
    },
    { type: "route.created", subjectType: "route", subjectId: id, actor: actorOf(ctx), createdAt: now, data: { control: body.control, candidate } },
  );
  ctx.catalog.invalidate();
  return toView(ctx, row, true);
}

export async function patchRoute(ctx: AdminContext, id: string, input: unknown): Promise<RouteView> {
  const row = await requireRoute(id);
  const body = parseInput(patchSchema, input);
  if (body.name !== undefined && body.name !== row.name) {
    if (await getModelByName({ name: body.name })) throw badRequest(`The route name '${body.name}' is already a model name.`, "name", "shadows_model");
    if (await getRouteByName({ name: body.name })) throw conflict(`A route named '${body.name}' already exists.`, "name");
  }
  if (body.control !== undefined) await requireModel(body.control, "control");
  if (body.candidate) await requireModel(body.candidate, "candidate");
  const control = body.control ?? row.controlModel;
  const candidate = body.candidate === undefined ? row.candidateModel : body.candidate;
  if (candidate && candidate === control) throw badRequest("The candidate must differ from the control.", "candidate");
  const stageList = body.stages ?? row.stages;
  const now = ctx.now();

  const patch: Partial<RouteRow> = { updatedAt: now };
  for (const k of ["name", "stickyBy", "evalIntervalSeconds", "minStageSeconds", "autoAdvance"] as const) {
    if (body[k] !== undefined) (patch as Record<string, unknown>)[k] = body[k];
  }
  if (body.guardrails) patch.guardrails = { ...guardrailsOf(row), ...body.guardrails };
  if (body.control !== undefined) patch.controlModel = control;
  if (body.candidate !== undefined) patch.candidateModel = candidate;
  if (body.stages) patch.stages = stageList;

  const newCandidate = body.candidate !== undefined && body.candidate !== row.candidateModel;
  if (!candidate) {
    patch.candidateWeight = 0;
  } else if (body.candidateWeight !== undefined || newCandidate || body.stages) {
    const w = body.candidateWeight ?? (newCandidate ? stageList[0]! : row.candidateWeight);
    patch.candidateWeight = w;
    // The stage is the highest one the weight has reached; a changed split starts its stage anew.
    const reached = stageList.reduce((acc, s, i) => (w >= s ? i : acc), 0);
    patch.stageIndex = reached;
    patch.stageStartedAt = now;
  }
  // A new candidate or weight after a rollback or promotion is a fresh rollout.
  if ((row.status === "rolled_back" || row.status === "promoted") && candidate && (newCandidate || body.candidateWeight !== undefined)) {
    patch.status = "running";
  }
  const changed = Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));
  const updated = await updateRouteWithEvent({
    id,
    patch,
    event: { type: "route.updated", subjectType: "route", subjectId: id, actor: actorOf(ctx), createdAt: now, data: { changed } },
  });
  ctx.catalog.invalidate();
  return toView(ctx, updated!, true);
}

export async function deleteRoute(ctx: AdminContext, id: string): Promise<{ id: string; deleted: true }> {
  await requireRoute(id);
  await deleteRouteWithEvent({ id, event: { type: "route.deleted", subjectType: "route", subjectId: id, actor: actorOf(ctx), createdAt: ctx.now(), data: {} } });
  ctx.catalog.invalidate();
  return { id, deleted: true };
}

const ALLOWED: Record<RouteAction, RouteRow["status"][]> = {
  pause: ["running"],
  resume: ["paused"],
  rollback: ["running", "paused"],
  promote: ["running", "paused"],
  advance: ["running", "paused"],
};

/** Manual pause, resume, rollback and promote, each audited with who did it. */
export async function routeAction(ctx: AdminContext, id: string, action: RouteAction): Promise<RouteView> {
  const row = await requireRoute(id);
  if (!ALLOWED[action].includes(row.status)) {
    throw conflict(`Cannot ${action} a route that is ${row.status.replace("_", " ")}.`, null);
  }
  if ((action === "promote" || action === "rollback") && !row.candidateModel) {
    throw conflict(`This route has no candidate to ${action}.`, null);
  }
  const { patch, event } = applyAction(row, action, ctx.now(), actorOf(ctx));
  const updated = await updateRouteWithEvent({ id, expect: { stageIndex: row.stageIndex, status: row.status }, patch, event });
  if (!updated) throw conflict("The route changed while this action was applied; reload and try again.", null);
  ctx.catalog.invalidate();
  return toView(ctx, updated, true);
}

const metricsQuery = z.strictObject({
  minutes: z.string().regex(/^\d+$/).transform(Number).pipe(z.int().min(1).max(7 * 24 * 60)).optional(),
  buckets: z.string().regex(/^\d+$/).transform(Number).pipe(z.int().min(1).max(500)).optional(),
});

/** Per-variant series over the last `minutes` (default 30) in `buckets` (default 30) steps. */
export async function routeMetrics(ctx: AdminContext, id: string, query: URLSearchParams) {
  const row = await requireRoute(id);
  const q = parseInput(metricsQuery, Object.fromEntries(query));
  await ctx.usage.flush();
  const to = ctx.now();
  const from = to - (q.minutes ?? 30) * 60_000;
  const bucketMs = Math.ceil((to - from) / (q.buckets ?? 30));
  const rows = await listRouteUsageBetween({ routeId: row.id, from, to: to + 1 });
  return { routeId: row.id, from: toIso(from), to: toIso(to), ...bucketSeries(rows, from, to, bucketMs, await assignments(row)) };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Which models served the route when, replayed from its audit trail, so chart history stays with
 * the model that served it. A rolled-back candidate serves nothing until it gets a weight again.
 */
export async function assignments(row: RouteRow): Promise<Assignment[]> {
  const events = (await listEvents({ subjectType: "route", subjectId: row.id, limit: 10_000 })).reverse();
  const out: Assignment[] = [];
  let control = row.controlModel;
  let candidate: string | null = row.candidateModel;
  let serving = row.status !== "rolled_back";
  const push = (at: number) => out.push({ at, control, candidate: serving ? candidate : null });
  for (const e of events) {
    const data = isRecord(e.data) ? e.data : {};
    const to = isRecord(data.to) ? data.to : {};
    const changed = isRecord(data.changed) ? data.changed : {};
    switch (e.type) {
      case "route.created":
        control = typeof data.control === "string" ? data.control : control;
        candidate = typeof data.candidate === "string" ? data.candidate : null;
        serving = true;
        break;
      case "route.updated":
        if (typeof changed.control === "string") control = changed.control;
        if (changed.candidate !== undefined) candidate = typeof changed.candidate === "string" ? changed.candidate : null;
        if (changed.candidate !== undefined || changed.candidateWeight !== undefined) serving = true;
        break;
      case "route.promoted":
        if (typeof to.control === "string") control = to.control;
        candidate = null;
        break;
      case "route.rolled_back":
        serving = false;
        break;
      default:
        continue;
    }
    push(e.createdAt);
  }
  if (!out.length) push(row.createdAt);
  return out;
}
