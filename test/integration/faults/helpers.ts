/** Shared by the fault suites: a simulator setup, bounded load loops and process readings. */
import { readFileSync } from "node:fs";
import type { TestServer } from "../../helpers/server";

export async function must<T = Record<string, any>>(res: Response): Promise<T> {
  const body = await res.json();
  if (!res.ok) throw new Error(`${res.status} ${JSON.stringify(body)}`);
  return body as T;
}

/** A simulator provider with one model per entry, a team and a key for it. */
export async function simulatorSetup(
  server: TestServer,
  models: Record<string, Record<string, unknown>>,
  team: Record<string, unknown> = {},
  modelExtra: Record<string, unknown> = {},
): Promise<{ key: string; teamId: string; modelIds: Record<string, string> }> {
  const provider = await must(await server.admin("/api/admin/providers", { method: "POST", json: { name: "sim", kind: "simulator", settings: { maxAttempts: 1 } } }));
  const modelIds: Record<string, string> = {};
  for (const [name, simulator] of Object.entries(models)) {
    const m = await must(
      await server.admin("/api/admin/models", {
        method: "POST",
        json: { name, providerId: provider.id, upstreamModel: name, inputPricePerMTok: 3, outputPricePerMTok: 15, simulator, ...modelExtra },
      }),
    );
    modelIds[name] = m.id;
  }
  const t = await must(await server.admin("/api/admin/teams", { method: "POST", json: { name: "faults", ...team } }));
  const key = await must(await server.admin(`/api/admin/teams/${t.id}/keys`, { method: "POST", json: { name: "k" } }));
  return { key: key.key, teamId: t.id, modelIds };
}

export function chatRequest(url: string, key: string, body: Record<string, unknown>, signal?: AbortSignal): Promise<Response> {
  return fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ messages: [{ role: "user", content: "hello there" }], ...body }),
    signal,
  });
}

/**
 * Runs `concurrency` loops of `one` until `ms` have passed (and at most `maxPerLoop` calls each),
 * so a stuck gateway cannot keep the test running.
 */
export async function runLoops(concurrency: number, ms: number, maxPerLoop: number, one: (loop: number, i: number) => Promise<void>): Promise<void> {
  const until = Date.now() + ms;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, loop) => {
      for (let i = 0; i < maxPerLoop && Date.now() < until; i++) await one(loop, i);
    }),
  );
}

/** Resident set size of a process in MiB, from /proc (Linux). */
export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1]);
  return kb / 1024;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves with the exit code (or signal) once the child has exited. */
export function exited(server: TestServer): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  const p = server.proc;
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve({ code: p.exitCode, signal: p.signalCode });
  return new Promise((r) => p.once("exit", (code, signal) => r({ code, signal })));
}
