// Configures a fresh gateway for the benchmark through its admin API, then checks that both doors answer.

export interface BenchTarget {
  /** Base URL, e.g. http://127.0.0.1:4010; chat completions live at <base>/v1/chat/completions. */
  base: string;
  key?: string;
}

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

/** One provider pointing at the simulator, one gateway model per simulator model, a team and its key. */
export async function configureGateway(opts: { gateway: string; adminToken: string; simulator: string; models: string[] }): Promise<string> {
  const { gateway, adminToken: token } = opts;
  const provider = await adminPost<{ id: string }>(gateway, token, "/api/admin/providers", {
    name: "bench-simulator",
    kind: "openai-compatible",
    baseUrl: `${opts.simulator}/v1`,
  });
  for (const name of opts.models) {
    await adminPost(gateway, token, "/api/admin/models", {
      name,
      providerId: provider.id,
      upstreamModel: name,
      inputPricePerMTok: 0.15,
      outputPricePerMTok: 0.6,
    });
  }
  const team = await adminPost<{ id: string }>(gateway, token, "/api/admin/teams", { name: "bench" });
  const { key } = await adminPost<{ key: string }>(gateway, token, `/api/admin/teams/${team.id}/keys`, { name: "bench" });
  return key;
}

/** One request per model and mode, so a misconfiguration fails before any load is sent. */
export async function checkTarget(target: BenchTarget, label: string, model: string, stream: boolean): Promise<void> {
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
