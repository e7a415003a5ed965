/**
 * `endpoint=` on the usage reports and the CSV export, over chat and embeddings traffic through
 * the built server: each endpoint's rows and totals apart, the raw CSV's endpoint column, and an
 * unknown endpoint refused with a 400 naming the parameter.
 */
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, startServer, type TestServer } from "../../helpers/server";
import { allRows, must } from "./helpers";

let server: TestServer;
let rows: Array<Record<string, any>>;
let team: { id: string; key: string };

const CHATS = 4;
const EMBEDDINGS = 3;

const get = (path: string, token = ADMIN_TOKEN) => fetch(server.url + path, { headers: { authorization: `Bearer ${token}` } });
const post = (path: string, body: unknown) =>
  fetch(server.url + path, { method: "POST", headers: { authorization: `Bearer ${team.key}`, "content-type": "application/json" }, body: JSON.stringify(body) });

async function csv(path: string): Promise<Array<Record<string, string>>> {
  const res = await get(path);
  expect(res.status, path).toBe(200);
  return parse(await res.text(), { columns: true }) as Array<Record<string, string>>;
}

beforeAll(async () => {
  server = await startServer();
  const provider = await must(await server.admin("/api/admin/providers", { method: "POST", json: { name: "sim", kind: "simulator" } }));
  const model = (name: string, extra: Record<string, unknown>) =>
    server.admin("/api/admin/models", { method: "POST", json: { name, providerId: provider.id, upstreamModel: name, inputPricePerMTok: 1, outputPricePerMTok: 4, simulator: { ttftMs: 1, tokensPerSecond: 5000 }, ...extra } }).then(must);
  await model("chatter", {});
  await model("embedder", { endpoints: ["embeddings"], outputPricePerMTok: 0 });
  const t = await must(await server.admin("/api/admin/teams", { method: "POST", json: { name: "filters" } }));
  const k = await must(await server.admin(`/api/admin/teams/${t.id}/keys`, { method: "POST", json: { name: "k" } }));
  team = { id: t.id, key: k.key };

  for (let i = 0; i < CHATS; i++) expect((await post("/v1/chat/completions", { model: "chatter", messages: [{ role: "user", content: `question ${i}` }] })).status).toBe(200);
  for (let i = 0; i < EMBEDDINGS - 1; i++) expect((await post("/v1/embeddings", { model: "embedder", input: [`text ${i}`, "another text"] })).status).toBe(200);
  // Refused (a chat model asked for embeddings), still an embeddings row.
  expect((await post("/v1/embeddings", { model: "chatter", input: "x" })).status).toBe(400);
  rows = await allRows(server, CHATS + EMBEDDINGS);
});

afterAll(async () => {
  await server?.stop();
});

describe("endpoint=", () => {
  it("narrows /api/usage to one endpoint's rows and totals", async () => {
    const embedRows = rows.filter((r) => r.endpoint === "embeddings");
    expect(embedRows).toHaveLength(EMBEDDINGS);
    const report = await must(await get("/api/usage?endpoint=embeddings&groupBy=model"));
    expect(report.filters).toMatchObject({ endpoint: "embeddings" });
    expect(report.totals).toMatchObject({ requests: EMBEDDINGS, ok: EMBEDDINGS - 1, rejected: 1, completionTokens: 0 });
    expect(report.totals.promptTokens).toBe(embedRows.reduce((s, r) => s + r.prompt_tokens, 0));
    expect(Math.round(report.totals.costUsd * 1e6)).toBe(embedRows.reduce((s, r) => s + r.cost_micros, 0));
    expect(report.totals.costUsd).toBeGreaterThan(0);
    expect(report.data.map((d: any) => d.key).sort()).toEqual(["embedder", null]);

    const chat = await must(await get("/api/usage?endpoint=chat&groupBy=day"));
    expect(chat.totals).toMatchObject({ requests: CHATS, ok: CHATS });
    const all = await must(await get("/api/usage"));
    expect(all.totals.requests).toBe(CHATS + EMBEDDINGS);
    expect(all.filters.endpoint).toBeNull();
    expect((await must(await get("/api/usage?endpoint=responses"))).totals.requests).toBe(0);
  });

  it("combines with the other filters, and a team key's own scope", async () => {
    const report = await must(await get(`/api/usage?endpoint=embeddings&model=embedder&teamId=${team.id}`));
    expect(report.totals.requests).toBe(EMBEDDINGS - 1);
    const own = await must(await get("/api/usage?endpoint=chat&groupBy=team", team.key));
    expect(own.totals.requests).toBe(CHATS);
    const top = await must(await get("/api/usage/top?by=model&endpoint=embeddings"));
    // The refused request served no model: the "(no model)" row, with nothing spent.
    expect(top.data.map((d: any) => [d.key, d.requests])).toEqual([["embedder", EMBEDDINGS - 1], [null, 1]]);
  });

  it("narrows the raw and grouped CSV, whose raw rows carry the endpoint", async () => {
    const raw = await csv("/api/usage/export.csv?endpoint=embeddings");
    expect(raw).toHaveLength(EMBEDDINGS);
    expect(raw.every((r) => r.endpoint === "embeddings")).toBe(true);
    const served = raw.filter((r) => r.status === "ok");
    expect(served.every((r) => r.served_model === "embedder" && Number(r.prompt_tokens) > 0 && r.completion_tokens === "0" && Number(r.cost_usd) > 0)).toBe(true);
    expect(raw.find((r) => r.status === "rejected")).toMatchObject({ requested_model: "chatter", http_status: "400", error_type: "unsupported_model" });

    const everything = await csv("/api/usage/export.csv");
    expect(everything.map((r) => r.endpoint).sort()).toEqual([...Array(CHATS).fill("chat"), ...Array(EMBEDDINGS).fill("embeddings")]);

    const grouped = await csv("/api/usage/export.csv?endpoint=chat&rows=grouped&groupBy=model");
    expect(grouped.map((r) => [r.key, r.requests])).toEqual([["chatter", String(CHATS)]]);
  });

  it("refuses an unknown endpoint with a 400 naming the parameter", async () => {
    for (const path of ["/api/usage?endpoint=images", "/api/usage/export.csv?endpoint=Chat", "/api/usage/top?endpoint=x"]) {
      const res = await get(path);
      expect(res.status, path).toBe(400);
      expect((await res.json()).error).toMatchObject({ type: "invalid_request_error", param: "endpoint", message: "'endpoint' must be one of: chat, embeddings, responses." });
    }
  });
});
