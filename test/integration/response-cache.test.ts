/**
 * The response cache through the built server: set on a team through the admin API, used by the
 * unmodified openai client, shown in the usage report.
 */
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type TestServer } from "../helpers/server";

let server: TestServer;
let client: OpenAI;
let teamId: string;

async function must(res: Response) {
  const body = await res.json();
  if (!res.ok) throw new Error(`${res.status}: ${JSON.stringify(body)}`);
  return body;
}

beforeAll(async () => {
  server = await startServer();
  const provider = await must(await server.admin("/api/admin/providers", { method: "POST", json: { name: "sim", kind: "simulator" } }));
  await must(await server.admin("/api/admin/models", { method: "POST", json: { name: "cached-sim", providerId: provider.id, upstreamModel: "cached-sim", inputPricePerMTok: 3, outputPricePerMTok: 15, simulator: { ttftMs: 0, tokensPerSecond: 100000 } } }));
  const team = await must(await server.admin("/api/admin/teams", { method: "POST", json: { name: "cache team", responseCache: { mode: "deterministic", ttlSeconds: 3600 } } }));
  teamId = team.id;
  expect(team.responseCache).toEqual({ mode: "deterministic", ttlSeconds: 3600 });
  const { key } = await must(await server.admin(`/api/admin/teams/${teamId}/keys`, { method: "POST", json: { name: "k" } }));
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: key, maxRetries: 0 });
});

afterAll(async () => {
  await server?.stop();
});

describe("response cache", () => {
  it("refuses an invalid setting, naming the field", async () => {
    const res = await server.admin(`/api/admin/teams/${teamId}`, { method: "PATCH", json: { responseCache: { mode: "sometimes", ttlSeconds: 60 } } });
    expect(res.status).toBe(400);
    expect((await res.json()).error.param).toBe("responseCache.mode");
  });

  it("answers a repeated deterministic request from the cache, in either format, and reports the saving", async () => {
    const ask = () => client.chat.completions.create({ model: "cached-sim", temperature: 0, messages: [{ role: "user", content: "What is a switchyard?" }] }).withResponse();
    const first = await ask();
    expect(first.response.headers.get("x-switchyard-cache")).toBe("miss");
    const second = await ask();
    expect(second.response.headers.get("x-switchyard-cache")).toBe("hit");
    expect(second.data.choices[0]!.message.content).toBe(first.data.choices[0]!.message.content);

    const stream = await client.chat.completions.create({ model: "cached-sim", temperature: 0, stream: true, messages: [{ role: "user", content: "What is a switchyard?" }] });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? "";
    expect(text).toBe(first.data.choices[0]!.message.content);

    const rows = await server.usageRows(3);
    expect(rows.map((r) => [r.cache, r.cost_micros === 0, r.saved_micros])).toEqual([
      ["miss", false, 0],
      ["hit", true, rows[0]!.cost_micros],
      ["hit", true, rows[0]!.cost_micros],
    ]);
    const report = await must(await server.admin(`/api/usage?teamId=${teamId}`));
    expect(report.cache).toEqual({ hits: 2, savedUsd: (2 * Number(rows[0]!.cost_micros)) / 1_000_000 });
  });
});
