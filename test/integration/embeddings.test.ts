/**
 * POST /v1/embeddings through the built server, driven by the official `openai` client: every
 * input shape, `dimensions`, both encodings (the client asks for base64 and decodes it unless told
 * otherwise), similarity that means something, the usage row, budgets and TPM charged the input,
 * models asked for what they do not serve, a fallback, and bad input in OpenAI's error shape.
 */
import { encode } from "gpt-tokenizer";
import OpenAI, { APIError, BadRequestError, RateLimitError } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { costMicros } from "@/lib/gateway/cost";
import { countText } from "@/lib/gateway/tokens";
import { startServer, type TestServer } from "../helpers/server";
import { call, createPerson, signIn } from "./access/helpers";

let server: TestServer;
let client: OpenAI;
const keys: Record<"main" | "poor" | "tpm", string> = { main: "", poor: "", tpm: "" };
let mainTeamId: string;

const EMBED_PRICES = { inputMicrosPerMTok: 20_000, outputMicrosPerMTok: 0 };
const TPM = 20;
const POOR_BUDGET_USD = 0.00002;

async function must(res: Response): Promise<Record<string, any>> {
  const body = await res.json();
  if (!res.ok) throw new Error(`${res.status} ${JSON.stringify(body)}`);
  return body;
}

beforeAll(async () => {
  server = await startServer();
  const provider = await must(await server.admin("/api/admin/providers", { method: "POST", json: { name: "sim", kind: "simulator", settings: { maxAttempts: 2 } } }));
  const model = (name: string, extra: Record<string, unknown> = {}) =>
    server.admin("/api/admin/models", { method: "POST", json: { name, providerId: provider.id, upstreamModel: name, inputPricePerMTok: 0.02, outputPricePerMTok: 0, endpoints: ["embeddings"], simulator: { ttftMs: 1 }, ...extra } }).then(must);
  await model("chat-fast", { endpoints: ["chat"], outputPricePerMTok: 0.1, simulator: { ttftMs: 1, tokensPerSecond: 5000 } });
  await model("embed");
  await model("embed-pricey", { inputPricePerMTok: 1 });
  await model("embed-ada", { simulator: { ttftMs: 1, acceptsDimensions: false } });
  await model("embed-flaky", { simulator: { ttftMs: 1, errorRate: 1 }, fallbacks: ["chat-fast", "embed"] });
  const team = async (name: string, extra: Record<string, unknown> = {}) => {
    const t = await must(await server.admin("/api/admin/teams", { method: "POST", json: { name, ...extra } }));
    if (name === "main") mainTeamId = t.id;
    return (await must(await server.admin(`/api/admin/teams/${t.id}/keys`, { method: "POST", json: { name: "k" } }))).key as string;
  };
  keys.main = await team("main");
  keys.poor = await team("poor", { dailyBudgetUsd: POOR_BUDGET_USD });
  keys.tpm = await team("tpm", { tpmLimit: TPM });
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: keys.main, maxRetries: 0 });
});

afterAll(async () => {
  await server?.stop();
});

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((s, v, i) => s + v * b[i]!, 0);
const asNumbers = (e: unknown) => e as number[];

/** Little-endian float32 bytes, as OpenAI sends base64 embeddings. */
function decodeBase64(text: string): number[] {
  const bytes = Buffer.from(text, "base64");
  return Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4));
}

async function rowFor(requestId: string): Promise<Record<string, any>> {
  for (let i = 0; i < 200; i++) {
    const row = server.db().prepare("select * from usage where request_id = ?").get(requestId) as Record<string, any> | undefined;
    if (row) return row;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no usage row for ${requestId}`);
}

describe("client.embeddings.create", () => {
  it("embeds a string (base64 on the wire, decoded by the client) with usage, and records one row", async () => {
    const input = "Freight yards sort wagons by destination.";
    const { data: res, response } = await client.embeddings.create({ model: "embed", input }).withResponse();
    expect(res.object).toBe("list");
    expect(res.model).toBe("embed");
    expect(res.data).toHaveLength(1);
    const vector = asNumbers(res.data[0]!.embedding);
    expect(vector).toHaveLength(1536);
    expect(Math.sqrt(dot(vector, vector))).toBeCloseTo(1, 5);
    const tokens = countText(input);
    expect(res.usage).toEqual({ prompt_tokens: tokens, total_tokens: tokens });

    const row = await rowFor(response.headers.get("x-request-id")!);
    expect(row).toMatchObject({
      endpoint: "embeddings", status: "ok", http_status: 200, requested_model: "embed", served_model: "embed", stream: 0,
      prompt_tokens: tokens, completion_tokens: 0, cost_micros: costMicros(EMBED_PRICES, tokens, 0), attempts: 1, fallback_used: 0,
    });
  });

  it("embeds an array, one vector per input in order", async () => {
    const input = ["first", "second", "first"];
    const res = await client.embeddings.create({ model: "embed", input });
    expect(res.data.map((d) => d.index)).toEqual([0, 1, 2]);
    expect(res.data[2]!.embedding).toEqual(res.data[0]!.embedding);
    expect(res.data[1]!.embedding).not.toEqual(res.data[0]!.embedding);
    expect(res.usage.prompt_tokens).toBe(input.reduce((s, t) => s + countText(t), 0));
  });

  it("takes token arrays, billing one token per id", async () => {
    const ids = encode("the cat sat");
    const [fromText, fromTokens] = await Promise.all([
      client.embeddings.create({ model: "embed", input: "the cat sat" }),
      client.embeddings.create({ model: "embed", input: [ids, [1, 2, 3]] }),
    ]);
    expect(fromTokens.data).toHaveLength(2);
    // The simulator reads o200k ids back as their text.
    expect(fromTokens.data[0]!.embedding).toEqual(fromText.data[0]!.embedding);
    expect(fromTokens.usage.prompt_tokens).toBe(ids.length + 3);
    const single = await client.embeddings.create({ model: "embed", input: ids });
    expect(single.data).toHaveLength(1);
  });

  it("gives `dimensions` long unit vectors", async () => {
    const res = await client.embeddings.create({ model: "embed", input: "short", dimensions: 256 });
    const vector = asNumbers(res.data[0]!.embedding);
    expect(vector).toHaveLength(256);
    expect(Math.sqrt(dot(vector, vector))).toBeCloseTo(1, 5);
  });

  it("returns base64 as sent when asked for it, floats when asked for them, both the same float32 values", async () => {
    const input = "the cat sat";
    const [decoded, base64, floats] = await Promise.all([
      client.embeddings.create({ model: "embed", input }),
      client.embeddings.create({ model: "embed", input, encoding_format: "base64" }),
      client.embeddings.create({ model: "embed", input, encoding_format: "float" }),
    ]);
    const raw = base64.data[0]!.embedding as unknown as string;
    expect(typeof raw).toBe("string");
    expect(decodeBase64(raw)).toEqual(decoded.data[0]!.embedding);
    expect(asNumbers(floats.data[0]!.embedding).map(Math.fround)).toEqual(decoded.data[0]!.embedding);
  });

  it("puts similar texts closer than unrelated ones", async () => {
    const res = await client.embeddings.create({ model: "embed", input: ["the cat sat", "a cat sat down", "quarterly tax report"] });
    const [cat, catDown, tax] = res.data.map((d) => asNumbers(d.embedding));
    expect(dot(cat!, catDown!)).toBeGreaterThan(dot(cat!, tax!) + 0.3);
  });
});

describe("limits and budgets", () => {
  it("refuses an input the team's budget cannot cover with 429 budget_exceeded", async () => {
    const poor = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: keys.poor, maxRetries: 0 });
    // $1 per million input tokens against a $0.00002 budget: 20 tokens fit, 40 do not.
    const long = "one two three four five six seven eight nine ten ".repeat(4);
    expect(countText(long)).toBeGreaterThan(20);
    const err = await poor.embeddings.create({ model: "embed-pricey", input: long }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    expect((err as RateLimitError).code).toBe("budget_exceeded");
    expect((err as RateLimitError).headers?.get("retry-after")).toMatch(/^\d+$/);
    const ok = await poor.embeddings.create({ model: "embed-pricey", input: "a few words" });
    expect(ok.data).toHaveLength(1);
  });

  it("charges the team's TPM the input tokens, with no output on top", async () => {
    const limited = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: keys.tpm, maxRetries: 0 });
    const tooBig = "word ".repeat(TPM + 1).trim();
    const err = await limited.embeddings.create({ model: "embed", input: tooBig }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    expect((err as RateLimitError).message).toContain(`it needs ${countText(tooBig)} tokens but your team allows ${TPM} tokens per minute`);
    // Exactly the limit goes through: no output ceiling is added to the charge.
    const fits = "word ".repeat(TPM).trim();
    expect(countText(fits)).toBe(TPM);
    expect((await limited.embeddings.create({ model: "embed", input: fits })).usage.prompt_tokens).toBe(TPM);
  });
});

describe("what a model serves", () => {
  it("refuses a chat model asked for embeddings, and an embeddings model asked for a chat completion", async () => {
    const embed = await client.embeddings.create({ model: "chat-fast", input: "x" }).catch((e: unknown) => e);
    expect(embed).toBeInstanceOf(BadRequestError);
    expect((embed as BadRequestError).param).toBe("model");
    expect((embed as BadRequestError).message).toContain("The model `chat-fast` does not serve embeddings; it serves chat.");

    const chat = await client.chat.completions.create({ model: "embed", messages: [{ role: "user", content: "hi" }] }).catch((e: unknown) => e);
    expect(chat).toBeInstanceOf(BadRequestError);
    expect((chat as BadRequestError).message).toContain("The model `embed` does not serve chat; it serves embeddings.");
  });

  it("lists each model's endpoints in /v1/models", async () => {
    const page = await client.models.list();
    const byId = new Map(page.data.map((m) => [m.id, m as unknown as { endpoints: string[] }]));
    expect(byId.get("chat-fast")?.endpoints).toEqual(["chat"]);
    expect(byId.get("embed")?.endpoints).toEqual(["embeddings"]);
  });

  it("leaves embeddings-only models out of the chat's model picker", async () => {
    const person = await createPerson(server, { email: "picker@example.com", password: "picker-password-1", role: "member", teamIds: [mainTeamId] });
    const res = await call(server, "/api/me/models", { cookie: await signIn(server, person) });
    expect(res.status).toBe(200);
    const ids = ((await res.json()).data as Array<{ id: string }>).map((m) => m.id);
    expect(ids).toEqual(["chat-fast"]);
  });

  it("falls back from a failing embeddings model to the next one that serves embeddings", async () => {
    const { data: res, response } = await client.embeddings.create({ model: "embed-flaky", input: "fallback please" }).withResponse();
    expect(response.headers.get("x-switchyard-model")).toBe("embed");
    expect(res.data).toHaveLength(1);
    const row = await rowFor(response.headers.get("x-request-id")!);
    // Two failed attempts on the flaky model, chat-fast skipped, one on embed.
    expect(row).toMatchObject({ endpoint: "embeddings", status: "ok", requested_model: "embed-flaky", served_model: "embed", fallback_used: 1, attempts: 3 });
  });
});

describe("bad input", () => {
  it.each([
    ["an empty string", { input: "" }, "input"],
    ["an empty array", { input: [] }, "input"],
    ["a number", { input: 42 }, "input"],
    ["mixed types", { input: ["a", 1] }, "input[1]"],
    ["too many inputs", { input: Array.from({ length: 2049 }, () => "a") }, "input"],
    ["negative dimensions", { dimensions: -1 }, "dimensions"],
    ["an unknown encoding", { encoding_format: "int8" }, "encoding_format"],
  ])("refuses %s with a 400 in OpenAI's shape", async (_name, body, param) => {
    const err = await client.embeddings.create({ model: "embed", input: "x", ...body } as never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadRequestError);
    expect((err as BadRequestError).param).toBe(param);
    expect((err as BadRequestError).type).toBe("invalid_request_error");
  });

  it("refuses 10,000 strings over the body limit with a 413", async () => {
    const input = Array.from({ length: 10_000 }, (_, i) => `text ${i} `.padEnd(120, "x"));
    const err = await client.embeddings.create({ model: "embed", input }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(APIError);
    expect((err as APIError).status).toBe(413);
    expect((err as APIError).code).toBe("request_too_large");
  });

  it("passes on the upstream's 400 for `dimensions` on a model that does not take them", async () => {
    const err = await client.embeddings.create({ model: "embed-ada", input: "x", dimensions: 64 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadRequestError);
    expect((err as BadRequestError).message).toContain("This model does not support specifying dimensions.");
    expect((await client.embeddings.create({ model: "embed-ada", input: "x" })).data[0]!.embedding).toHaveLength(1536);
  });
});
