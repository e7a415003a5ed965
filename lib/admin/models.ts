/** Admin service for models: names clients ask for, mapped to a provider's upstream model with prices. */
import { z } from "zod";
import {
  deleteModel as deleteModelRow,
  getModelById,
  getModelByName,
  insertModel,
  listExistingModelNames,
  listModels as listModelRows,
  updateModel,
} from "@/db/queries/models";
import { getProviderById } from "@/db/queries/providers";
import { getRouteByName, listRoutes } from "@/db/queries/routes";
import type { ModelRow } from "@/db/schema";
import { microsToUsd, usdToMicros } from "../gateway/cost";
import { CAPABILITIES, canonicalEndpoints, DEFAULT_ENDPOINTS } from "../gateway/endpoints/capabilities";
import type { Capability } from "../gateway/endpoints/types";
import { badRequest, conflict, notFound } from "../gateway/errors";
import { adapterFor } from "../gateway/providers";
import { supportsOperation } from "../gateway/providers/operations";
import { MAX_TOKENS_FIELDS, type MaxTokensField } from "../gateway/output-ceiling";
import { simProfileSchema } from "../simulator/profile";
import { newId, toIso, toIsoOrNull, type AdminContext } from "./context";
import { parseInput, perMinuteLimit } from "./schemas";

const MAX_FALLBACKS = 10;

// Clients put the name in a JSON "model" field and admins in URLs and CSV columns, so no whitespace.
const modelName = z.string().min(1).max(128).regex(/^\S+$/, "must not contain whitespace");
// USD per million tokens; $1M per MTok is far above any real price and keeps micro-USD exact.
const pricePerMTok = z.number().min(0).max(1_000_000);

const fields = {
  name: modelName,
  providerId: z.string().min(1).max(64),
  upstreamModel: z.string().trim().min(1).max(256),
  inputPricePerMTok: pricePerMTok,
  outputPricePerMTok: pricePerMTok,
  maxOutputTokens: z.int().min(1).max(10_000_000).nullable(),
  maxTokensField: z.enum(MAX_TOKENS_FIELDS as [MaxTokensField, ...MaxTokensField[]]),
  rpmLimit: perMinuteLimit,
  tpmLimit: perMinuteLimit,
  fallbacks: z.array(modelName).max(MAX_FALLBACKS),
  endpoints: z
    .array(z.enum(CAPABILITIES))
    .min(1, "a model must serve at least one endpoint")
    .refine((list) => new Set(list).size === list.length, "each endpoint may be listed once"),
  simulator: simProfileSchema.nullable(),
};

const createSchema = z.strictObject({
  ...fields,
  maxOutputTokens: fields.maxOutputTokens.optional(),
  maxTokensField: fields.maxTokensField.optional(),
  rpmLimit: fields.rpmLimit.optional(),
  tpmLimit: fields.tpmLimit.optional(),
  fallbacks: fields.fallbacks.optional(),
  endpoints: fields.endpoints.optional(),
  simulator: fields.simulator.optional(),
});

const patchSchema = z.strictObject(fields).partial();

export interface ModelView {
  id: string;
  name: string;
  providerId: string;
  upstreamModel: string;
  inputPricePerMTok: number;
  outputPricePerMTok: number;
  maxOutputTokens: number | null;
  maxTokensField: MaxTokensField;
  rpmLimit: number | null;
  tpmLimit: number | null;
  fallbacks: string[];
  /** What the model serves: "chat" (chat completions and the Responses API), "embeddings". */
  endpoints: Capability[];
  simulator: Record<string, unknown> | null;
  breaker: {
    state: string;
    failureRate: number;
    requests: number;
    failures: number;
    openedAt: string | null;
    nextProbeAt: string | null;
  };
  createdAt: string;
  updatedAt: string;
}

async function toView(ctx: AdminContext, row: ModelRow): Promise<ModelView> {
  const b = await ctx.gateway.breakers.state(row.id, ctx.now());
  return {
    id: row.id,
    name: row.name,
    providerId: row.providerId,
    upstreamModel: row.upstreamModel,
    inputPricePerMTok: microsToUsd(row.inputMicrosPerMTok),
    outputPricePerMTok: microsToUsd(row.outputMicrosPerMTok),
    maxOutputTokens: row.maxOutputTokens,
    maxTokensField: row.maxTokensField,
    rpmLimit: row.rpmLimit,
    tpmLimit: row.tpmLimit,
    fallbacks: row.fallbacks,
    endpoints: canonicalEndpoints(row.endpoints),
    simulator: row.simulator ?? null,
    breaker: {
      state: b.state,
      failureRate: b.failureRate,
      requests: b.requests,
      failures: b.failures,
      openedAt: toIsoOrNull(b.openedAt),
      nextProbeAt: toIsoOrNull(b.nextProbeAt),
    },
    createdAt: toIso(row.createdAt),
    updatedAt: toIso(row.updatedAt),
  };
}

async function requireModel(id: string): Promise<ModelRow> {
  const row = await getModelById({ id });
  if (!row) throw notFound(`No model with id '${id}'.`);
  return row;
}

async function requireProvider(providerId: string) {
  const provider = await getProviderById({ id: providerId });
  if (!provider) throw badRequest(`No provider with id '${providerId}'.`, "providerId");
  return provider;
}

/** A model may serve only what its provider's kind has an API for (Anthropic has no embeddings). */
function assertProviderServes(kind: string, endpoints: Capability[]): void {
  const adapter = adapterFor(kind);
  const missing = endpoints.filter((e) => !supportsOperation(adapter, e));
  if (missing.length) throw badRequest(`Providers of kind '${kind}' do not serve ${missing.join(", ")}; remove it from 'endpoints' or pick another provider.`, "endpoints", "unsupported_value");
}

/** A provider's kind may change only to one that serves what its models serve. */
export async function assertKindServesModels(providerId: string, kind: string): Promise<void> {
  const adapter = adapterFor(kind);
  const stuck = (await listModelRows()).filter((m) => m.providerId === providerId && m.endpoints.some((e) => !supportsOperation(adapter, e)));
  if (stuck.length) {
    throw badRequest(`Providers of kind '${kind}' do not serve what model(s) ${stuck.map((m) => m.name).join(", ")} serve (their 'endpoints'); change those models first.`, "kind", "unsupported_value");
  }
}

async function assertNameFree(name: string, exceptId?: string): Promise<void> {
  const existing = await getModelByName({ name });
  if (existing && existing.id !== exceptId) throw conflict(`A model named '${name}' already exists.`, "name");
}

// Resolution tries model names before route aliases, so a model named like a route would hijack it.
async function assertNotRouteName(name: string): Promise<void> {
  if (await getRouteByName({ name })) {
    throw badRequest(`The model name '${name}' is already a route name; clients could not tell them apart.`, "name", "shadows_route");
  }
}

/** Routes refer to models by name: renaming or deleting one they use would break them. */
async function assertNotUsedByRoutes(name: string, action: "rename" | "delete"): Promise<void> {
  const using = (await listRoutes()).filter((r) => r.controlModel === name || r.candidateModel === name).map((r) => r.name);
  if (using.length) {
    throw conflict(`Cannot ${action} model '${name}': route(s) ${using.join(", ")} use it. Change or delete those routes first.`);
  }
}

async function assertFallbacks(self: string, fallbacks: string[]): Promise<void> {
  if (fallbacks.includes(self)) throw badRequest(`A model cannot fall back to itself ('${self}').`, "fallbacks");
  if (new Set(fallbacks).size !== fallbacks.length) throw badRequest("'fallbacks' lists a model more than once.", "fallbacks");
  const existing = new Set(await listExistingModelNames({ names: fallbacks }));
  const missing = fallbacks.filter((n) => !existing.has(n));
  if (missing.length) throw badRequest(`Unknown fallback model(s): ${missing.join(", ")}.`, "fallbacks");
}

export async function listModels(ctx: AdminContext): Promise<{ data: ModelView[] }> {
  return { data: await Promise.all((await listModelRows()).map((row) => toView(ctx, row))) };
}

export async function getModel(ctx: AdminContext, id: string): Promise<ModelView> {
  return toView(ctx, await requireModel(id));
}

export async function createModel(ctx: AdminContext, input: unknown): Promise<ModelView> {
  const body = parseInput(createSchema, input);
  const provider = await requireProvider(body.providerId);
  const endpoints = canonicalEndpoints(body.endpoints ?? DEFAULT_ENDPOINTS);
  assertProviderServes(provider.kind, endpoints);
  const fallbacks = body.fallbacks ?? [];
  await assertFallbacks(body.name, fallbacks);
  await assertNameFree(body.name);
  await assertNotRouteName(body.name);
  const now = ctx.now();
  const row = await insertModel({
    id: newId("mdl"),
    name: body.name,
    providerId: body.providerId,
    upstreamModel: body.upstreamModel,
    inputMicrosPerMTok: usdToMicros(body.inputPricePerMTok),
    outputMicrosPerMTok: usdToMicros(body.outputPricePerMTok),
    maxOutputTokens: body.maxOutputTokens ?? null,
    maxTokensField: body.maxTokensField ?? "both",
    rpmLimit: body.rpmLimit ?? null,
    tpmLimit: body.tpmLimit ?? null,
    fallbacks,
    endpoints,
    simulator: body.simulator ?? null,
    createdAt: now,
    updatedAt: now,
  });
  ctx.catalog.invalidate();
  return toView(ctx, row);
}

export async function patchModel(ctx: AdminContext, id: string, input: unknown): Promise<ModelView> {
  const body = parseInput(patchSchema, input);
  const current = await requireModel(id);
  const provider = await requireProvider(body.providerId ?? current.providerId);
  const endpoints = body.endpoints === undefined ? undefined : canonicalEndpoints(body.endpoints);
  if (body.providerId !== undefined || endpoints !== undefined) assertProviderServes(provider.kind, endpoints ?? canonicalEndpoints(current.endpoints));
  const name = body.name ?? current.name;
  const renamed = body.name !== undefined && body.name !== current.name;
  if (renamed) {
    await assertNameFree(name, id);
    await assertNotRouteName(name);
    await assertNotUsedByRoutes(current.name, "rename");
  }
  // A rename is checked against the fallbacks it will keep, not only new ones.
  if (body.fallbacks !== undefined || renamed) await assertFallbacks(name, body.fallbacks ?? current.fallbacks);

  const row = await updateModel({
    id,
    now: ctx.now(),
    patch: {
      name: body.name,
      providerId: body.providerId,
      upstreamModel: body.upstreamModel,
      inputMicrosPerMTok: body.inputPricePerMTok === undefined ? undefined : usdToMicros(body.inputPricePerMTok),
      outputMicrosPerMTok: body.outputPricePerMTok === undefined ? undefined : usdToMicros(body.outputPricePerMTok),
      maxOutputTokens: body.maxOutputTokens,
      maxTokensField: body.maxTokensField,
      rpmLimit: body.rpmLimit,
      tpmLimit: body.tpmLimit,
      fallbacks: body.fallbacks,
      endpoints,
      simulator: body.simulator,
    },
  });
  if (!row) throw notFound(`No model with id '${id}'.`);
  ctx.catalog.invalidate();
  return toView(ctx, row);
}

export async function deleteModel(ctx: AdminContext, id: string): Promise<{ id: string; deleted: true }> {
  await assertNotUsedByRoutes((await requireModel(id)).name, "delete");
  if (!(await deleteModelRow({ id, now: ctx.now() }))) throw notFound(`No model with id '${id}'.`);
  ctx.catalog.invalidate();
  return { id, deleted: true };
}
