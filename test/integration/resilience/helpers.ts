/** Small helpers shared by the resilience suites: calling the gateway, reading SSE, polling. */
import { estimatePromptTokens } from "@/lib/gateway/prompt-estimate";
import type { TestServer } from "../../helpers/server";

export const USER_MESSAGE = [{ role: "user" as const, content: "hello" }];

/** The gateway's prompt estimate for USER_MESSAGE, which rate limits and budgets charge up front. */
export const PROMPT_ESTIMATE = estimatePromptTokens({ messages: USER_MESSAGE });

/** POSTs a chat completion with a team key; `body` is merged over a minimal request. */
export function chat(
  server: TestServer,
  key: string,
  model: string,
  body: Record<string, unknown> = {},
  init: { signal?: AbortSignal } = {},
): Promise<Response> {
  return fetch(`${server.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ model, messages: USER_MESSAGE, ...body }),
    signal: init.signal,
  });
}

/** The SSE `data:` payloads of a finished response, in order. */
export async function sseData(res: Response): Promise<string[]> {
  return parseSse(await res.text());
}

export function parseSse(text: string): string[] {
  return text
    .split("\n\n")
    .map((block) => block.trim())
    .filter((block) => block.startsWith("data:"))
    .map((block) => block.slice("data:".length).trim());
}

/** Admin JSON, failing loudly on an error answer so a broken setup is not mistaken for a finding. */
export async function adminJson<T = Record<string, any>>(server: TestServer, path: string, init: RequestInit & { json?: unknown } = {}): Promise<T> {
  const res = await server.admin(path, init);
  const body = await res.json();
  if (!res.ok) throw new Error(`${init.method ?? "GET"} ${path} failed ${res.status}: ${JSON.stringify(body)}`);
  return body as T;
}

export async function eventsOf(server: TestServer, type: string, subjectId?: string): Promise<Array<Record<string, any>>> {
  const { data } = await adminJson<{ data: Array<Record<string, any>> }>(server, `/api/admin/events?type=${encodeURIComponent(type)}&limit=500`);
  return subjectId ? data.filter((e) => e.subjectId === subjectId) : data;
}

/** Usage rows of one team, oldest first, once at least `n` of them are written. */
export async function teamUsage(server: TestServer, teamId: string, n: number, timeoutMs = 5000): Promise<Array<Record<string, any>>> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const rows = server.db().prepare("select * from usage where team_id = ? order by id").all(teamId) as Array<Record<string, any>>;
    if (rows.length >= n || Date.now() > until) return rows;
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function waitFor(check: () => boolean, timeoutMs = 3000, what = "condition"): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Seconds from `now` to the next 00:00 UTC. */
export function secondsToUtcMidnight(now: number): number {
  const d = new Date(now);
  return (Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1) - now) / 1000;
}

/** Seconds from `now` to 00:00 UTC on the 1st of next month. */
export function secondsToNextUtcMonth(now: number): number {
  const d = new Date(now);
  return (Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) - now) / 1000;
}
