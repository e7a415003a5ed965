/**
 * "Test connection" for a provider: lists its models with the stored (decrypted) key, through the
 * chat calls' egress-guarded dispatcher. The admin sees the status, the latency and the models; a
 * failure is one fixed message per kind, never the upstream's text, which is whatever the base URL
 * points at (a file, an internal page, the key quoted back). An upstream that is down, slow or
 * refuses the key is a result to show, not a server error.
 */
import { request, type Dispatcher } from "undici";
import { isEgressDenied } from "../gateway/egress";
import { notFound } from "../gateway/errors";
import { adapterFor } from "../gateway/providers";
import { PROVIDER_KIND_INFO, type ProviderKind } from "../gateway/providers/kinds";
import type { ModelsIo, RawAnswer } from "../gateway/providers/types";
import { createRedactor } from "../gateway/redact";
import type { Catalog, ProviderConfig } from "../gateway/types";
import { createSimulator } from "../simulator/handler";

export const PROVIDER_TEST_TIMEOUT_MS = 5000;
/** Large providers list a few hundred models in well under this; more is not a model list. */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

export type ProviderTestResult =
  | { ok: true; status: number; latencyMs: number; modelCount: number; models: string[] }
  /** `status` is the upstream's HTTP status, or null when no HTTP answer came back. */
  | { ok: false; status: number | null; latencyMs: number; message: string };

export interface ProviderTestDeps {
  /** The dispatcher chat calls use, so the test obeys the same egress policy at connect time. */
  dispatcher: Dispatcher;
  now: () => number;
  timeoutMs?: number;
}

export const FAILURE_MESSAGES = {
  noBaseUrl: "The provider has no base URL. Edit it and add one, e.g. https://api.openai.com/v1.",
  egress:
    "The gateway's egress policy refuses this address: link-local, cloud-metadata, unspecified and multicast addresses are never called, and hosts outside SWITCHYARD_PROVIDER_ALLOWLIST are not when it is set.",
  refused: "Connection refused. Is the server running and listening on that port?",
  dns: "The host name could not be resolved. Check the base URL.",
  timeout: "No answer in time. Check that the server is up and reachable from the gateway.",
  tls: "The TLS handshake failed. Check the base URL's scheme and port, and the server's certificate.",
  network: "The connection failed before a complete answer came back.",
  redirect: "The base URL redirects, and redirects are not followed. Set the base URL to the address it redirects to.",
  keyRefused: "The upstream refused the API key.",
  notFound: "Nothing at this base URL's /models. Check the base URL; OpenAI-compatible servers usually serve it under /v1.",
  rateLimited: "The upstream is rate limiting this key. Try again in a moment.",
  serverError: "The upstream had a server error.",
  status: "The upstream answered with an HTTP status that is not a success.",
  notModelList: 'The answer is not an OpenAI-style model list ({"data":[{"id":…}]}). Check the base URL.',
} as const;

export type FailureKind = keyof typeof FAILURE_MESSAGES;

export async function testProvider(catalog: { get(): Catalog | Promise<Catalog> }, id: string, deps: ProviderTestDeps): Promise<ProviderTestResult> {
  const provider = (await catalog.get()).providers.get(id);
  if (!provider) throw notFound(`No provider with id '${id}'.`);
  return testConnection(provider, deps);
}

export async function testConnection(provider: ProviderConfig, deps: ProviderTestDeps): Promise<ProviderTestResult> {
  const started = deps.now();
  const latencyMs = () => Math.max(0, Math.round(deps.now() - started));
  const fail = (kind: FailureKind, status: number | null = null): ProviderTestResult => ({ ok: false, status, latencyMs: latencyMs(), message: FAILURE_MESSAGES[kind] });
  if (PROVIDER_KIND_INFO[provider.kind as ProviderKind]?.remote && !provider.baseUrl) return fail("noBaseUrl");
  const adapter = adapterFor(provider.kind);
  const signal = AbortSignal.timeout(deps.timeoutMs ?? PROVIDER_TEST_TIMEOUT_MS);

  let answer: RawAnswer;
  try {
    answer = await adapter.fetchModels(modelsIo(deps.dispatcher), provider, signal);
  } catch (err) {
    return fail(networkFailure(err, signal));
  }
  if (answer.status < 200 || answer.status > 299) {
    answer.discard();
    return fail(statusFailure(answer.status), answer.status);
  }
  let text: string | null;
  try {
    text = await answer.read();
  } catch (err) {
    return fail(networkFailure(err, signal), answer.status);
  } finally {
    answer.discard();
  }
  const models = text === null ? null : adapter.parseModels(text, createRedactor(provider.apiKey));
  if (!models) return fail("notModelList", answer.status);
  return { ok: true, status: answer.status, latencyMs: latencyMs(), modelCount: models.length, models };
}

/** GETs through the chat calls' dispatcher, which does not follow redirects: one is reported, never chased past the policy. */
function modelsIo(dispatcher: Dispatcher): ModelsIo {
  return {
    async get(url, headers, signal) {
      const res = await request(url, { method: "GET", headers, signal, dispatcher });
      // Destroyed unread, undici's body emits an abort error that nobody is waiting for.
      const discard = () => void res.body.on("error", () => {}).destroy();
      return { status: res.statusCode, read: () => readLimited(res.body, MAX_BODY_BYTES), discard };
    },
    simulator: (req) => createSimulator().fetch(req),
  };
}

/** The body as text, or null when it is larger than `limit` bytes. */
async function readLimited(body: AsyncIterable<Uint8Array>, limit: number): Promise<string | null> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > limit) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function statusFailure(status: number): FailureKind {
  if (status >= 300 && status < 400) return "redirect";
  if (status === 401 || status === 403) return "keyRefused";
  if (status === 404) return "notFound";
  if (status === 429) return "rateLimited";
  if (status >= 500) return "serverError";
  return "status";
}

/** The codes on an error, its causes and, for a failed happy-eyeballs connect, each attempt's error. */
function errorCodes(err: unknown): string[] {
  const codes: string[] = [];
  const visit = (e: unknown, depth: number) => {
    if (!e || typeof e !== "object" || depth > 4) return;
    const { code, cause, errors, message } = e as { code?: unknown; cause?: unknown; errors?: unknown; message?: unknown };
    if (typeof code === "string") codes.push(code);
    // Some TLS failures carry only OpenSSL's words.
    if (typeof message === "string" && /certificate|ssl|tls|wrong version number/i.test(message)) codes.push("TLS");
    visit(cause, depth + 1);
    if (Array.isArray(errors)) for (const x of errors) visit(x, depth + 1);
  };
  visit(err, 0);
  return codes;
}

function networkFailure(err: unknown, signal: AbortSignal): FailureKind {
  if (signal.aborted) return "timeout";
  if (isEgressDenied(err)) return "egress";
  const codes = errorCodes(err);
  const has = (...want: string[]) => codes.some((c) => want.includes(c));
  if (has("UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT", "ETIMEDOUT")) return "timeout";
  if (has("ECONNREFUSED")) return "refused";
  if (has("ENOTFOUND", "EAI_AGAIN", "EAI_NONAME", "EAI_FAIL", "EAI_NODATA")) return "dns";
  if (codes.some((c) => /CERT|SSL|TLS/i.test(c))) return "tls";
  return "network";
}
