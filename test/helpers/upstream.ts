/**
 * A scriptable OpenAI-compatible upstream on loopback for tests: each request is answered by the
 * test's handler; the server records what it received and when a client went away.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { ProviderKind } from "@/lib/gateway/providers/kinds";

export interface Received {
  path: string;
  headers: IncomingMessage["headers"];
  body: Record<string, unknown> | null;
  at: number;
  closedAt: number | null;
}

export type UpstreamHandler = (req: Received, res: ServerResponse, n: number) => void | Promise<void>;

export interface TestUpstream {
  url: string;
  baseUrl: string;
  received: Received[];
  handle(h: UpstreamHandler): void;
  close(): Promise<void>;
}

export async function startUpstream(handler: UpstreamHandler): Promise<TestUpstream> {
  let current = handler;
  const received: Received[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const entry: Received = { path: req.url ?? "", headers: req.headers, body: text ? JSON.parse(text) : null, at: Date.now(), closedAt: null };
    received.push(entry);
    res.on("close", () => (entry.closedAt = Date.now()));
    try {
      await current(entry, res, received.length);
    } catch {
      res.destroy();
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    baseUrl: `${url}/v1`,
    received,
    handle: (h) => (current = h),
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function completion(model: string, content: string, usage: { prompt_tokens: number; completion_tokens: number } | null, extra: Record<string, unknown> = {}) {
  return {
    id: "chatcmpl-test",
    object: "chat.completion",
    created: 1_700_000_000,
    model,
    choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
    ...(usage ? { usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens } } : {}),
    ...extra,
  };
}

export function chunk(model: string, delta: Record<string, unknown>, finish: string | null = null, extra: Record<string, unknown> = {}) {
  return { id: "chatcmpl-test", object: "chat.completion.chunk", created: 1_700_000_000, model, choices: [{ index: 0, delta, finish_reason: finish }], ...extra };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

export function openSse(res: ServerResponse) {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  res.flushHeaders();
  return (data: unknown) => res.write(`data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`);
}

/** Sets up a provider pointing at `baseUrl`, a model on it, a team and a key through the admin API. */
export async function provision(
  admin: (path: string, init?: RequestInit & { json?: unknown }) => Promise<Response>,
  opts: {
    baseUrl?: string;
    kind?: ProviderKind;
    model?: Record<string, unknown>;
    team?: Record<string, unknown>;
    providerSettings?: Record<string, unknown>;
    suffix?: string;
  } = {},
) {
  const suffix = opts.suffix ?? Math.random().toString(36).slice(2, 8);
  const must = async (res: Response) => {
    const body = await res.json();
    if (!res.ok) throw new Error(`admin call failed ${res.status}: ${JSON.stringify(body)}`);
    return body as Record<string, any>;
  };
  const provider = await must(
    await admin("/api/admin/providers", {
      method: "POST",
      json: {
        name: `prov-${suffix}`,
        kind: opts.kind ?? "openai-compatible",
        ...(opts.kind === "simulator" ? {} : { baseUrl: opts.baseUrl, apiKey: "sk-upstream-secret-value-" + suffix }),
        ...(opts.providerSettings ? { settings: opts.providerSettings } : {}),
      },
    }),
  );
  const model = await must(
    await admin("/api/admin/models", {
      method: "POST",
      json: { name: `model-${suffix}`, providerId: provider.id, upstreamModel: "up-model", inputPricePerMTok: 2.5, outputPricePerMTok: 10, ...opts.model },
    }),
  );
  const team = await must(await admin("/api/admin/teams", { method: "POST", json: { name: `team-${suffix}`, ...opts.team } }));
  const key = await must(await admin(`/api/admin/teams/${team.id}/keys`, { method: "POST", json: { name: "test key" } }));
  return { provider, model, team, key: key.key as string, keyId: key.id as string };
}
