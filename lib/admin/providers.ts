/** Admin service for upstream providers. API keys are encrypted at rest and never leave the server. */
import { z } from "zod";
import {
  countModelsUsingProvider,
  deleteProvider as deleteProviderRow,
  getProviderById,
  getProviderByName,
  insertProvider,
  listProviders as listProviderRows,
  updateProvider,
} from "@/db/queries/providers";
import type { ProviderRow } from "@/db/schema";
import { badRequest, conflict, notFound } from "../gateway/errors";
import type { ProviderSettings } from "../gateway/types";
import { encryptSecret } from "../secrets";
import { providerSettings } from "../server/catalog";
import { checkEgress } from "../gateway/egress";
import { PROVIDER_KIND_INFO, PROVIDER_KINDS, type ProviderKind } from "../gateway/providers/kinds";
import { newId, toIso, type AdminContext } from "./context";
import { assertKindServesModels } from "./models";
import { displayName, parseInput } from "./schemas";

const kind = z.enum(PROVIDER_KINDS);
// "" counts as no URL, so a form's empty field is not a validation error.
const baseUrl = z.union([z.literal("").transform(() => null), z.url({ protocol: /^https?$/, error: "expected an http(s) URL" })]).nullable();
const apiKey = z.string().min(1).max(4096).nullable();

const ms = z.int().min(1).max(3_600_000);
const settingFields = {
  maxAttempts: z.int().min(1).max(10),
  firstByteTimeoutMs: ms,
  idleTimeoutMs: ms,
  totalTimeoutMs: ms,
  maxRetryAfterMs: ms,
  responsesApi: z.boolean(),
};
const settingsSchema = z.strictObject(settingFields).partial();
// A PATCH merges into the stored settings; null puts one setting back to its default.
const settingsPatchSchema = z.strictObject({
  maxAttempts: settingFields.maxAttempts.nullable(),
  firstByteTimeoutMs: ms.nullable(),
  idleTimeoutMs: ms.nullable(),
  totalTimeoutMs: ms.nullable(),
  maxRetryAfterMs: ms.nullable(),
  responsesApi: settingFields.responsesApi.nullable(),
}).partial();

const createSchema = z.strictObject({
  name: displayName,
  kind,
  baseUrl: baseUrl.optional(),
  apiKey: apiKey.optional(),
  settings: settingsSchema.optional(),
});

const patchSchema = z.strictObject({
  name: displayName,
  kind,
  baseUrl,
  apiKey,
  settings: settingsPatchSchema,
}).partial();

export interface ProviderView {
  id: string;
  name: string;
  kind: ProviderKind;
  baseUrl: string | null;
  apiKeyLast4: string | null;
  /** Effective values: stored ones over the defaults. */
  settings: ProviderSettings;
  createdAt: string;
  updatedAt: string;
}

function toView(row: ProviderRow): ProviderView {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind as ProviderKind,
    baseUrl: row.baseUrl,
    apiKeyLast4: row.apiKeyLast4,
    settings: providerSettings(row.settings),
    createdAt: toIso(row.createdAt),
    updatedAt: toIso(row.updatedAt),
  };
}

// Showing the last 4 characters of a very short key would show most of it.
const last4 = (key: string): string => (key.length >= 12 ? key.slice(-4) : "****");

function sealKey(ctx: AdminContext, key: string | null): { apiKeyCiphertext: string | null; apiKeyLast4: string | null } {
  return key === null ? { apiKeyCiphertext: null, apiKeyLast4: null } : { apiKeyCiphertext: encryptSecret(key, ctx.secret), apiKeyLast4: last4(key) };
}

function requireBaseUrl(ctx: AdminContext, kindValue: string, url: string | null): void {
  const info = PROVIDER_KIND_INFO[kindValue as ProviderKind];
  if (!info?.remote) return;
  if (!url) throw badRequest(`'baseUrl' is required for ${kindValue} providers. ${info.baseUrlHint}`, "baseUrl");
  {
    const egress = checkEgress(url, ctx.egressAllowlist ?? null);
    if (!egress.ok) throw badRequest(`The gateway may not call this base URL: ${egress.reason}.`, "baseUrl", "egress_denied");
  }
}

/** Only an OpenAI-compatible server can be sent Responses API requests as they are. */
function checkResponsesApi(kindValue: string, settings: Record<string, unknown>): void {
  if (settings.responsesApi === true && kindValue !== "openai-compatible") {
    throw badRequest("'settings.responsesApi' can be set only for openai-compatible providers.", "settings.responsesApi");
  }
}

async function assertNameFree(name: string, exceptId?: string): Promise<void> {
  const existing = await getProviderByName({ name });
  if (existing && existing.id !== exceptId) throw conflict(`A provider named '${name}' already exists.`, "name");
}

async function requireProvider(id: string): Promise<ProviderRow> {
  const row = await getProviderById({ id });
  if (!row) throw notFound(`No provider with id '${id}'.`);
  return row;
}

export async function listProviders(_ctx: AdminContext): Promise<{ data: ProviderView[] }> {
  return { data: (await listProviderRows()).map(toView) };
}

export async function getProvider(_ctx: AdminContext, id: string): Promise<ProviderView> {
  return toView(await requireProvider(id));
}

export async function createProvider(ctx: AdminContext, input: unknown): Promise<ProviderView> {
  const body = parseInput(createSchema, input);
  const url = body.baseUrl ?? null;
  requireBaseUrl(ctx, body.kind, url);
  checkResponsesApi(body.kind, body.settings ?? {});
  await assertNameFree(body.name);
  const now = ctx.now();
  const row = await insertProvider({
    id: newId("prv"),
    name: body.name,
    kind: body.kind,
    baseUrl: url,
    ...sealKey(ctx, body.apiKey ?? null),
    settings: body.settings ?? {},
    createdAt: now,
    updatedAt: now,
  });
  ctx.catalog.invalidate();
  return toView(row);
}

export async function patchProvider(ctx: AdminContext, id: string, input: unknown): Promise<ProviderView> {
  const body = parseInput(patchSchema, input);
  const current = await requireProvider(id);
  requireBaseUrl(ctx, body.kind ?? current.kind, body.baseUrl === undefined ? current.baseUrl : body.baseUrl);
  if (body.name !== undefined) await assertNameFree(body.name, id);
  if (body.kind !== undefined && body.kind !== current.kind) await assertKindServesModels(id, body.kind);

  let settings: Record<string, unknown> | undefined;
  if (body.settings) {
    settings = { ...current.settings };
    for (const [k, v] of Object.entries(body.settings)) {
      if (v === null) delete settings[k];
      else if (v !== undefined) settings[k] = v;
    }
  }
  checkResponsesApi(body.kind ?? current.kind, settings ?? current.settings);
  const row = await updateProvider({
    id,
    patch: {
      name: body.name,
      kind: body.kind,
      baseUrl: body.baseUrl,
      ...(body.apiKey !== undefined ? sealKey(ctx, body.apiKey) : {}),
      settings,
      updatedAt: ctx.now(),
    },
  });
  if (!row) throw notFound(`No provider with id '${id}'.`);
  ctx.catalog.invalidate();
  return toView(row);
}

export async function deleteProvider(ctx: AdminContext, id: string): Promise<{ id: string; deleted: true }> {
  await requireProvider(id);
  const inUse = await countModelsUsingProvider({ providerId: id });
  if (inUse > 0) {
    throw conflict(`The provider is used by ${inUse} model(s); delete or move them to another provider first.`);
  }
  await deleteProviderRow({ id });
  ctx.catalog.invalidate();
  return { id, deleted: true };
}
