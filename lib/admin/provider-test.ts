/**
 * "Test connection" for a provider: lists its models with the stored (decrypted) key. An upstream
 * that is down, slow or refuses the key is a result to show the admin, not a server error.
 */
import { notFound } from "../gateway/errors";
import { modelsRequest } from "../gateway/providers/openai-compatible";
import type { Catalog, ProviderConfig } from "../gateway/types";
import { createSimulator } from "../simulator/handler";

export const PROVIDER_TEST_TIMEOUT_MS = 5000;
const MAX_MESSAGE_CHARS = 300;

export type ProviderTestResult =
  | { ok: true; models: string[]; latencyMs: number }
  /** `status` is the upstream's HTTP status, or null when no HTTP answer came back. */
  | { ok: false; status: number | null; message: string };

export interface ProviderTestDeps {
  fetch: (req: Request) => Promise<Response>;
  now: () => number;
  timeoutMs?: number;
}

const defaultDeps: ProviderTestDeps = { fetch: (req) => fetch(req), now: Date.now };

export async function testProvider(catalog: { get(): Catalog }, id: string, deps: ProviderTestDeps = defaultDeps): Promise<ProviderTestResult> {
  const provider = catalog.get().providers.get(id);
  if (!provider) throw notFound(`No provider with id '${id}'.`);
  return testConnection(provider, deps);
}

export async function testConnection(provider: ProviderConfig, deps: ProviderTestDeps): Promise<ProviderTestResult> {
  const started = deps.now();
  const timeoutMs = deps.timeoutMs ?? PROVIDER_TEST_TIMEOUT_MS;
  const url = provider.kind === "simulator" ? "http://simulator.internal/v1/models" : `${(provider.baseUrl ?? "").replace(/\/+$/, "")}/models`;
  const redact = (text: string) => hideKey(text, provider.apiKey).slice(0, MAX_MESSAGE_CHARS);

  let res: Response;
  try {
    if (provider.kind === "simulator") {
      res = await createSimulator().fetch(new Request(url));
    } else {
      if (!provider.baseUrl) return { ok: false, status: null, message: "The provider has no base URL. Edit it and add one, e.g. https://api.openai.com/v1." };
      res = await deps.fetch(modelsRequest(provider, AbortSignal.timeout(timeoutMs)));
    }
  } catch (err) {
    return { ok: false, status: null, message: redact(networkMessage(err, url, timeoutMs)) };
  }

  let text: string;
  try {
    text = await res.text();
  } catch (err) {
    const timedOut = err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
    const message = timedOut ? networkMessage(err, url, timeoutMs) : `The connection to ${url} broke while reading the answer (${causeText(err)}).`;
    return { ok: false, status: res.status, message: redact(message) };
  }
  if (!res.ok) return { ok: false, status: res.status, message: redact(statusMessage(res.status, url, upstreamMessage(text), res.headers.get("location"))) };

  const models = modelIds(text);
  if (!models) {
    return { ok: false, status: res.status, message: redact(`${url} answered ${res.status}, but not with an OpenAI-style model list ({"data":[{"id":…}]}). Check the base URL.`) };
  }
  return { ok: true, models, latencyMs: Math.max(0, Math.round(deps.now() - started)) };
}

function modelIds(text: string): string[] | null {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return null;
  }
  const data = (body as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) return null;
  const ids = data.map((m) => (m && typeof m === "object" ? (m as { id?: unknown }).id : undefined)).filter((id): id is string => typeof id === "string");
  return [...new Set(ids)].sort((a, b) => a.localeCompare(b));
}

function upstreamMessage(text: string): string | null {
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown };
    const e = body?.error;
    if (typeof e === "string") return e;
    if (e && typeof e.message === "string") return e.message;
    if (typeof body?.message === "string") return body.message;
  } catch {
    // Not JSON: a short plain-text body is still worth showing.
  }
  const trimmed = text.trim();
  return trimmed && trimmed.length <= 200 && !trimmed.startsWith("<") ? trimmed : null;
}

function statusMessage(status: number, url: string, detail: string | null, location: string | null): string {
  const said = detail ? ` The upstream said: “${detail}”` : "";
  if (status >= 300 && status < 400) return `${url} redirects (${status}${location ? ` to ${location}` : ""}); redirects are not followed, so set the base URL to where it points.`;
  if (status === 401 || status === 403) return `The upstream refused the API key (${status}).${said}`;
  if (status === 404) return `${url} was not found (404). Check the base URL; OpenAI-compatible servers usually serve it under /v1.${said}`;
  if (status === 429) return `The upstream is rate limiting this key (429). Try again in a moment.${said}`;
  if (status >= 500) return `The upstream had an error (${status}).${said}`;
  return `The upstream answered ${status}.${said}`;
}

function causeText(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  if (cause && typeof cause.code === "string") return cause.code;
  if (cause && typeof cause.message === "string") return cause.message;
  return err instanceof Error ? err.message : String(err);
}

function networkMessage(err: unknown, url: string, timeoutMs: number): string {
  const name = err instanceof Error ? err.name : "";
  if (name === "TimeoutError" || name === "AbortError") return `No answer from ${url} within ${timeoutMs / 1000} s.`;
  const host = safeHost(url);
  const code = causeText(err);
  if (code === "ECONNREFUSED") return `Connection refused by ${host}. Is the server running and listening on that port?`;
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return `The host name ${host} could not be resolved. Check the base URL.`;
  if (code === "ECONNRESET") return `${host} closed the connection before answering.`;
  if (code === "bad port") return `Port ${new URL(url).port} of ${host} is on fetch's list of blocked ports; the server must listen on another port.`;
  if (/certificate|CERT|SSL|TLS/i.test(code)) return `The TLS handshake with ${host} failed (${code}).`;
  if (err instanceof TypeError && /invalid url|failed to parse url/i.test(`${err.message} ${code}`)) return `The base URL is not a valid URL: ${url}`;
  return `Could not reach ${host} (${code}).`;
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** Some upstreams quote the key they were sent back in their error message. */
function hideKey(text: string, key: string | null): string {
  if (!key || key.length < 4) return text;
  return text.split(key).join("••••");
}
