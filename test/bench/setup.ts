// Configures a fresh gateway for the benchmark through its admin API, then checks that both doors answer.

export interface BenchTarget {
  /** Base URL, e.g. http://127.0.0.1:4010; chat completions live at <base>/v1/chat/completions. */
  base: string;
  key?: string;
  /** What to put in `model` for a simulator model name (the gateway is called through route aliases). */
  modelFor?: (simulatorModel: string) => string;
}

/** Limits far above the benchmark's load: every check runs, none refuses. */
const NEVER_BINDING = { rpm: 100_000_000, tpm: 1_000_000_000, usd: 1_000_000 };

export const routeAlias = (model: string): string => `route-${model}`;

const TIMEOUT_MS = 10_000;

async function call(url: string, init: RequestInit): Promise<Response> {
  return fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
}

async function adminPost<T>(gateway: string, token: string, path: string, body: unknown): Promise<T> {
  const res = await call(gateway + path, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!res.ok) {
    const hint = res.status === 404 ? " (is the production build older than the admin API? run with --build)" : "";
    throw new Error(`POST ${path} answered ${res.status}${hint}: ${(await res.text()).slice(0, 500)}`);
  }
  return (await res.json()) as T;
}

/**
 * The whole pipeline switched on: per simulator model a control and a candidate gateway model
 * (with each other as fallback, and their own RPM/TPM limits), a route alias splitting 50/50
 * between them with the evaluator running, and a team with RPM/TPM limits, daily and monthly
 * budgets and a key with its own RPM limit. No limit is low enough to refuse benchmark traffic.
 */
export interface BenchKeys {
  /** The team without a response cache: every request reaches the simulator. */
  key: string;
  /** A second team whose response cache answers every repeated request (mode "all"). */
  cacheKey: string;
}

/** The gateway's embeddings model, served by the simulator's model of the same name. */
export const EMBED_MODEL = "bench-embed";

export async function configureGateway(opts: { gateway: string; adminToken: string; simulator: string; models: string[] }): Promise<BenchKeys> {
  const { gateway, adminToken: token } = opts;
  const provider = await adminPost<{ id: string }>(gateway, token, "/api/admin/providers", {
    name: "bench-simulator",
    kind: "openai-compatible",
    baseUrl: `${opts.simulator}/v1`,
  });
  for (const name of opts.models) {
    const limits = { rpmLimit: NEVER_BINDING.rpm, tpmLimit: NEVER_BINDING.tpm };
    const model = (suffix: string, fallbacks: string[]) =>
      adminPost(gateway, token, "/api/admin/models", {
        name: `${name}${suffix}`,
        providerId: provider.id,
        upstreamModel: name,
        inputPricePerMTok: 0.15,
        outputPricePerMTok: 0.6,
        // Above every scenario's max_tokens (the long streams ask for 1,000), so the gateway never
        // ends a stream early at the model's ceiling and the paths stay comparable.
        maxOutputTokens: 4096,
        fallbacks,
        ...limits,
      });
    await model("-a", []);
    await model("-b", [`${name}-a`]);
    await adminPost(gateway, token, "/api/admin/routes", {
      name: routeAlias(name),
      control: `${name}-a`,
      candidate: `${name}-b`,
      stages: [50, 100],
      evalIntervalSeconds: 5,
      minStageSeconds: 86_400,
      guardrails: { maxErrorRate: 0.5, minSamples: 100 },
    });
  }
  await adminPost(gateway, token, "/api/admin/models", {
    name: EMBED_MODEL,
    providerId: provider.id,
    upstreamModel: EMBED_MODEL,
    endpoints: ["embeddings"],
    inputPricePerMTok: 0.02,
    outputPricePerMTok: 0,
    rpmLimit: NEVER_BINDING.rpm,
    tpmLimit: NEVER_BINDING.tpm,
  });
  const teamKey = async (name: string, extra: Record<string, unknown>) => {
    const team = await adminPost<{ id: string }>(gateway, token, "/api/admin/teams", {
      name,
      rpmLimit: NEVER_BINDING.rpm,
      tpmLimit: NEVER_BINDING.tpm,
      dailyBudgetUsd: NEVER_BINDING.usd,
      monthlyBudgetUsd: NEVER_BINDING.usd,
      ...extra,
    });
    return (await adminPost<{ key: string }>(gateway, token, `/api/admin/teams/${team.id}/keys`, { name, rpmLimit: NEVER_BINDING.rpm })).key;
  };
  return {
    key: await teamKey("bench", {}),
    cacheKey: await teamKey("bench-cache", { responseCache: { mode: "all", ttlSeconds: 86_400 } }),
  };
}

/** One embeddings request, so a misconfiguration fails before any load is sent. */
export async function checkEmbeddings(target: BenchTarget, label: string): Promise<void> {
  const res = await call(`${target.base}/v1/embeddings`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(target.key ? { authorization: `Bearer ${target.key}` } : {}) },
    body: JSON.stringify({ model: EMBED_MODEL, input: "ping" }),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${label} embeddings: ${res.status} ${text.slice(0, 500)}`);
}

/** One request per model and mode, so a misconfiguration fails before any load is sent. */
export async function checkTarget(target: BenchTarget, label: string, simulatorModel: string, stream: boolean): Promise<void> {
  const model = target.modelFor?.(simulatorModel) ?? simulatorModel;
  const res = await call(`${target.base}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(target.key ? { authorization: `Bearer ${target.key}` } : {}) },
    body: JSON.stringify({ model, messages: [{ role: "user", content: "ping" }], max_tokens: 16, stream }),
  });
  const text = await res.text();
  if (res.status !== 200 || (stream && !text.includes("data: [DONE]"))) {
    throw new Error(`${label} ${model}${stream ? " (stream)" : ""}: ${res.status} ${text.slice(0, 500)}`);
  }
}
