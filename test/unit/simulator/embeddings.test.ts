/** The simulator's embeddings: OpenAI's shapes, deterministic unit vectors, similarity that follows shared words. */
import { encode } from "gpt-tokenizer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countText } from "@/lib/gateway/tokens";
import { createSimulator } from "@/lib/simulator/handler";
import type { SimProfile } from "@/lib/simulator/profile";
import { startSimulatorServer, type SimulatorServer } from "@/lib/simulator/server";

const sim = createSimulator({ random: () => 0.5 });
const QUICK: Partial<SimProfile> = { ttftMs: 0 };

async function post(body: Record<string, unknown>, profile: Partial<SimProfile> = QUICK) {
  const res = await sim.fetch(new Request("http://sim.test/v1/embeddings", { method: "POST", body: JSON.stringify(body) }), profile);
  return { status: res.status, body: (await res.json()) as any };
}

async function vectors(input: unknown, extra: Record<string, unknown> = {}, profile?: Partial<SimProfile>): Promise<number[][]> {
  const { status, body } = await post({ model: "sim-embed", input, ...extra }, profile);
  expect(status).toBe(200);
  return body.data.map((d: { embedding: number[] }) => d.embedding);
}

const dot = (a: number[], b: number[]) => a.reduce((sum, v, i) => sum + v * b[i]!, 0);
const norm = (a: number[]) => Math.sqrt(dot(a, a));

/** Little-endian float32 bytes, as OpenAI's base64 embeddings are. */
function fromBase64(text: string): number[] {
  const bytes = Buffer.from(text, "base64");
  return Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4));
}

describe("POST /embeddings", () => {
  it("answers OpenAI's list object with usage", async () => {
    const input = ["the cat sat", "quarterly tax report"];
    const { status, body } = await post({ model: "sim-embed", input });
    expect(status).toBe(200);
    expect(Object.keys(body)).toEqual(["object", "data", "model", "usage"]);
    expect(body).toMatchObject({ object: "list", model: "sim-embed" });
    expect(body.data.map((d: Record<string, unknown>) => [d.object, d.index])).toEqual([["embedding", 0], ["embedding", 1]]);
    const tokens = countText(input[0]!) + countText(input[1]!);
    expect(body.usage).toEqual({ prompt_tokens: tokens, total_tokens: tokens });
  });

  it("makes unit vectors of the profile's length, the same for the same text every time", async () => {
    const [a, b, c] = await vectors(["the cat sat", "the cat sat", "the cat sat."]);
    expect(a).toHaveLength(1536);
    expect(norm(a!)).toBeCloseTo(1, 5);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
    expect((await vectors("the cat sat"))[0]).toEqual(a);
    expect((await vectors("x", {}, { ...QUICK, dimensions: 64 }))[0]).toHaveLength(64);
  });

  it("gives other models and seeds other vectors", async () => {
    const [a] = await vectors("the cat sat");
    const [seeded] = await vectors("the cat sat", {}, { ...QUICK, seed: 7 });
    const { body } = await post({ model: "another-embedder", input: "the cat sat" });
    expect(seeded).not.toEqual(a);
    expect(body.data[0].embedding).not.toEqual(a);
  });

  it("puts texts that share words closer than texts that do not", async () => {
    const [cat, catDown, tax] = await vectors(["the cat sat", "a cat sat down", "quarterly tax report"]);
    expect(dot(cat!, catDown!)).toBeGreaterThan(0.4);
    expect(Math.abs(dot(cat!, tax!))).toBeLessThan(0.2);
  });

  it("sends base64 as little-endian float32, the same numbers as float", async () => {
    const [floats] = await vectors("the cat sat", { encoding_format: "float" });
    const { body } = await post({ model: "sim-embed", input: "the cat sat", encoding_format: "base64" });
    const decoded = fromBase64(body.data[0].embedding);
    expect(decoded).toHaveLength(1536);
    // Each float reads back as exactly the float32 that was encoded.
    expect(floats!.map(Math.fround)).toEqual(decoded);
  });

  it("cuts `dimensions` from the full vector and makes it unit length again", async () => {
    const [full] = await vectors("the cat sat");
    const [short] = await vectors("the cat sat", { dimensions: 256 });
    expect(short).toHaveLength(256);
    expect(norm(short!)).toBeCloseTo(1, 5);
    const prefix = full!.slice(0, 256);
    const scaled = prefix.map((v) => v / norm(prefix));
    short!.forEach((v, i) => expect(v).toBeCloseTo(scaled[i]!, 6));
  });

  it("refuses `dimensions` on a model that does not take it, and more than the model has", async () => {
    const refused = await post({ model: "sim-embed", input: "x", dimensions: 256 }, { ...QUICK, acceptsDimensions: false });
    expect(refused).toEqual({ status: 400, body: { error: { message: "This model does not support specifying dimensions.", type: "invalid_request_error", param: "dimensions", code: null } } });
    const tooMany = await post({ model: "sim-embed", input: "x", dimensions: 2000 });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error).toMatchObject({ param: "dimensions", message: expect.stringContaining("1536 dimensions") });
  });

  it("reads token arrays as the text they encode, and bills one token per id", async () => {
    const [text] = await vectors("the cat sat");
    const ids = encode("the cat sat");
    const { body } = await post({ model: "sim-embed", input: [ids, [99_999_999, 1]] });
    expect(body.data[0].embedding).toEqual(text);
    expect(body.usage.prompt_tokens).toBe(ids.length + 2);
  });

  it("refuses a bad body in OpenAI's error shape", async () => {
    expect(await post({ model: "sim-embed", input: [] })).toMatchObject({ status: 400, body: { error: { type: "invalid_request_error", param: "input" } } });
    const res = await sim.fetch(new Request("http://sim.test/v1/embeddings", { method: "POST", body: "{" }));
    expect(res.status).toBe(400);
  });

  it("injects the profile's faults", async () => {
    expect((await post({ model: "sim-embed", input: "x" }, { ...QUICK, errorRate: 1 })).status).toBe(500);
    expect((await post({ model: "sim-embed", input: "x" }, { ...QUICK, rateLimitRate: 1 })).status).toBe(429);
  });
});

describe("`npm run sim`", () => {
  let server: SimulatorServer;
  beforeAll(async () => {
    server = await startSimulatorServer({ port: 0, profiles: { small: { ttftMs: 0, dimensions: 8 } } });
  });
  afterAll(() => server.close());

  it("serves embeddings with the model's configured profile", async () => {
    const res = await fetch(`${server.url}/v1/embeddings`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: "small", input: "hello" }) });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.data[0].embedding).toHaveLength(8);
    // The same vector the in-process simulator makes for that model and profile.
    const inProcess = await post({ model: "small", input: "hello" }, { ...QUICK, dimensions: 8 });
    expect(body).toEqual(inProcess.body);
  });
});
