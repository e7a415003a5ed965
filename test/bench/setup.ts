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
export async function configureGateway(opts: { gateway: string; adminToken: string; simulator: string; models: string[] }): Promise<string> {
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
        maxOutputTokens: 256,
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
  const team = await adminPost<{ id: string }>(gateway, token, "/api/admin/teams", {
    name: "bench",
    rpmLimit: NEVER_BINDING.rpm,
    tpmLimit: NEVER_BINDING.tpm,
    dailyBudgetUsd: NEVER_BINDING.usd,
    monthlyBudgetUsd: NEVER_BINDING.usd,
  });
  const { key } = await adminPost<{ key: string }>(gateway, token, `/api/admin/teams/${team.id}/keys`, { name: "bench", rpmLimit: NEVER_BINDING.rpm });
  return key;
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
