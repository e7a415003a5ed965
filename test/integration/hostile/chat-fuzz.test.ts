/**
 * Hostile input at the OpenAI door: generated malformed, oversized, deeply nested and oddly encoded
 * bodies always get a 4xx in OpenAI's error shape, never a 5xx, and the server stays up. Seeded, so
 * a failure replays; FUZZ_SEED and FUZZ_RUNS override.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type TestServer } from "../../helpers/server";
import { completion, provision, sendJson, startUpstream, type TestUpstream } from "../../helpers/upstream";
import { simulatorSetup } from "../faults/helpers";
import { expectAlive, expectOpenAiError, oddString, post, wrongType, type Answer } from "./helpers";

const SEED = Number(process.env.FUZZ_SEED) || 20_261_122;
const RUNS = Number(process.env.FUZZ_RUNS) || 150;
const MiB = 1024 * 1024;
const MODEL = "fuzz-model";
const VALID = { model: MODEL, messages: [{ role: "user", content: "hi" }] };

let server: TestServer;
let upstream: TestUpstream;
let key: string;
let echo: Awaited<ReturnType<typeof provision>>;

beforeAll(async () => {
  server = await startServer();
  ({ key } = await simulatorSetup(server, { [MODEL]: { ttftMs: 0, tokensPerSecond: 1_000_000, outputTokens: 4 } }));
  upstream = await startUpstream((_req, res) => sendJson(res, 200, completion("up", "ok", { prompt_tokens: 1, completion_tokens: 1 })));
  echo = await provision(server.admin, { baseUrl: upstream.baseUrl });
});

afterAll(async () => {
  await server?.stop();
  await upstream?.close();
});

const chat = (body: BodyInit | null, opts: { key?: string | null; contentType?: string | null } = {}) =>
  post(server, "/v1/chat/completions", body, { auth: opts.key === undefined ? key : opts.key, contentType: opts.contentType });

const json = (value: unknown) => JSON.stringify(value);

function expect400(r: Answer, field?: string) {
  expect(r.status, r.text.slice(0, 300)).toBe(400);
  const err = expectOpenAiError(r);
  if (field) expect(err.param ?? "", r.text.slice(0, 300)).toMatch(new RegExp(`^${field}($|[.[])`));
}

const run = <T>(prop: fc.IAsyncProperty<T>, runs = RUNS) => fc.assert(prop, { numRuns: runs, seed: SEED });

// Values the schema must refuse, per field of the request; valid values never appear here.
const notString = wrongType("string");
const numberOutside = (min: number, max: number) =>
  fc.oneof(fc.double({ max: min, noNaN: true, noDefaultInfinity: true }), fc.double({ min: max, noNaN: true, noDefaultInfinity: true })).filter((n) => n < min || n > max);
const badCount = (min: number, max: number) => fc.oneof(fc.integer({ max: min - 1 }), fc.integer({ min: max + 1 }), fc.double({ min, max, noNaN: true }).filter((n) => !Number.isInteger(n)), wrongType("number"));
const badRole = fc.string({ maxLength: 20 }).filter((r) => !["system", "developer", "user", "assistant", "tool", "function"].includes(r));
const badToolName = fc.oneof(fc.constant(""), fc.string({ minLength: 65, maxLength: 200 }), fc.string({ minLength: 1, maxLength: 20 }).filter((s) => !/^[a-zA-Z0-9_-]+$/.test(s)), notString);
const badMessage = fc.oneof(
  wrongType("object"),
  badRole.map((role) => ({ role, content: "x" })),
  fc.record({ role: fc.constant("user"), content: fc.oneof(fc.integer(), fc.boolean(), fc.dictionary(fc.string({ maxLength: 4 }), fc.integer(), { minKeys: 1, maxKeys: 2 })) }),
  fc.record({ role: fc.constant("user"), content: fc.array(fc.oneof(wrongType("object"), fc.record({ type: wrongType("string") })), { minLength: 1, maxLength: 3 }) }),
  fc.record({ role: fc.constant("assistant"), tool_calls: fc.oneof(wrongType("array"), fc.array(fc.record({ id: notString, type: fc.constant("function"), function: fc.constant({ name: "f", arguments: "{}" }) }), { minLength: 1, maxLength: 2 })) }),
  fc.record({ role: fc.constant("tool"), content: fc.constant("x"), tool_call_id: notString }),
  fc.record({ role: fc.constant("user"), content: fc.constant("x"), name: notString }),
);
const badTool = fc.oneof(
  wrongType("object"),
  fc.record({ type: fc.string({ maxLength: 10 }).filter((t) => t !== "function"), function: fc.constant({ name: "f" }) }),
  fc.record({ type: fc.constant("function"), function: wrongType("object") }),
  fc.record({ type: fc.constant("function"), function: fc.record({ name: badToolName }) }),
  fc.record({ type: fc.constant("function"), function: fc.record({ name: fc.constant("f"), parameters: fc.oneof(fc.array(fc.integer(), { maxLength: 2 }), fc.string(), fc.integer(), fc.boolean()) }) }),
  fc.record({ type: fc.constant("function"), function: fc.record({ name: fc.constant("f"), description: notString }) }),
);
const badFields: Record<string, fc.Arbitrary<unknown>> = {
  model: fc.oneof(notString, fc.constant(""), fc.string({ minLength: 257, maxLength: 2000 })),
  messages: fc.oneof(wrongType("array"), fc.constant([]), fc.array(badMessage, { minLength: 1, maxLength: 3 })),
  stream: wrongType("boolean"),
  stream_options: fc.oneof(wrongType("object").filter((v) => v !== null), fc.record({ include_usage: wrongType("boolean").filter((v) => v !== undefined) })),
  max_tokens: badCount(0, 10_000_000).filter((v) => v !== null),
  max_completion_tokens: badCount(0, 10_000_000).filter((v) => v !== null),
  temperature: fc.oneof(numberOutside(0, 2), wrongType("number").filter((v) => v !== null)),
  top_p: fc.oneof(numberOutside(0, 1), wrongType("number").filter((v) => v !== null)),
  n: badCount(1, 128).filter((v) => v !== null),
  presence_penalty: fc.oneof(numberOutside(-2, 2), wrongType("number").filter((v) => v !== null)),
  frequency_penalty: fc.oneof(numberOutside(-2, 2), wrongType("number").filter((v) => v !== null)),
  user: fc.oneof(notString, fc.string({ minLength: 513, maxLength: 3000 })),
  tools: fc.oneof(wrongType("array"), fc.array(badTool, { minLength: 1, maxLength: 3 }), fc.constant(Array.from({ length: 129 }, (_, i) => ({ type: "function", function: { name: `f${i}` } })))),
  tool_choice: fc.oneof(
    fc.string({ maxLength: 12 }).filter((s) => !["none", "auto", "required"].includes(s)),
    fc.integer(),
    fc.constant(null),
    fc.record({ type: fc.constant("function") }),
    fc.record({ type: fc.string({ maxLength: 8 }).filter((t) => t !== "function"), function: fc.constant({ name: "f" }) }),
  ),
};
const badField = fc.oneof(...Object.entries(badFields).map(([field, arb]) => arb.map((value) => ({ field, value }))));

/** `depth` levels of brackets (or objects) written out as text; JSON.stringify would overflow first. */
const nested = (depth: number, kind: "array" | "object") => (kind === "array" ? "[".repeat(depth) + "1" + "]".repeat(depth) : '{"a":'.repeat(depth) + "1" + "}".repeat(depth));

describe("malformed bodies with a valid key", () => {
  it("answers random JSON values with a 4xx", { timeout: 60_000 }, async () => {
    await run(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }), async (value) => {
        const r = await chat(json(value));
        expect(r.status, r.text.slice(0, 300)).toBeGreaterThanOrEqual(400);
        expect(r.status).toBeLessThan(500);
        expectOpenAiError(r);
      }),
    );
    await expectAlive(server);
  });

  it("refuses a wrong value in any one field with a 400 naming it", { timeout: 60_000 }, async () => {
    await run(
      fc.asyncProperty(badField, async ({ field, value }) => {
        expect400(await chat(json({ ...VALID, [field]: value })), field);
      }),
    );
    await expectAlive(server);
  });

  it("refuses deep nesting anywhere in the body", { timeout: 60_000 }, async () => {
    const depth = fc.oneof(fc.integer({ min: 100, max: 2000 }), fc.integer({ min: 2000, max: 120_000 }));
    const where = fc.constantFrom("extra", "tool-parameters", "content", "body", "metadata");
    await run(
      fc.asyncProperty(depth, where, fc.constantFrom("array" as const, "object" as const), async (d, place, kind) => {
        const deep = nested(d, kind);
        const base = json(VALID).slice(0, -1);
        const text =
          place === "body"
            ? deep
            : place === "extra"
              ? `${base},"extra":${deep}}`
              : place === "metadata"
                ? `${base},"metadata":{"k":${deep}}}`
                : place === "content"
                  ? `{"model":"${MODEL}","messages":[{"role":"user","content":[{"type":"text","text":"x","more":${deep}}]}]}`
                  : `${base},"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","x":${deep}}}}]}`;
        expect(text.length).toBeLessThan(MiB);
        const r = await chat(text);
        expect(r.status, `${place} ${kind} ${d}: ${r.text.slice(0, 300)}`).toBe(400);
        expectOpenAiError(r);
      }),
      50,
    );
    await expectAlive(server);
  });

  it("refuses huge strings in bounded fields", { timeout: 60_000 }, async () => {
    const size = fc.oneof(fc.integer({ min: 1000, max: 50_000 }), fc.integer({ min: 50_000, max: 400_000 }));
    const field = fc.constantFrom("model", "user", "role", "tool-name");
    await run(
      fc.asyncProperty(size, field, fc.constantFrom("x", "é", "\u202E", "\u0000", "😀"), async (n, f, ch) => {
        const s = ch.repeat(n);
        const body =
          f === "model"
            ? { ...VALID, model: s }
            : f === "user"
              ? { ...VALID, user: s }
              : f === "role"
                ? { ...VALID, messages: [{ role: s, content: "hi" }] }
                : { ...VALID, tools: [{ type: "function", function: { name: s } }] };
        const text = json(body);
        const r = await chat(text);
        // Escaping can push the body past the limit (NUL is six bytes in JSON): that is a 413.
        if (Buffer.byteLength(text) > MiB) {
          expect(r.status, r.text.slice(0, 300)).toBe(413);
          expectOpenAiError(r);
        } else expect400(r);
      }),
      40,
    );
    await expectAlive(server);
  });

  it("refuses NaN, Infinity and out-of-range numbers written as text", { timeout: 60_000 }, async () => {
    const literal = fc.constantFrom("NaN", "Infinity", "-Infinity", "1e400", "-1e400", "-1", "-0.5", "0x10", "+1", "01", ".5", "1.", "--1", "1e", '"NaN"', '"Infinity"', '"1"');
    const field = fc.constantFrom("max_tokens", "max_completion_tokens", "n", "temperature", "top_p");
    await run(
      fc.asyncProperty(field, literal, async (f, lit) => {
        const text = `{"model":"${MODEL}","messages":[{"role":"user","content":"hi"}],"${f}":${lit}}`;
        expect400(await chat(text));
      }),
    );
    await expectAlive(server);
  });

  it("refuses max_tokens above the ceiling, and serves a large one within it", { timeout: 60_000 }, async () => {
    const huge = fc.oneof(fc.integer({ min: 10_000_001, max: 2 ** 31 }), fc.constantFrom(2 ** 53, 2 ** 53 + 2, 1e20, 1e308, Number.MAX_VALUE));
    await run(
      fc.asyncProperty(huge, fc.constantFrom("max_tokens", "max_completion_tokens"), async (n, f) => {
        expect400(await chat(json({ ...VALID, [f]: n })), f);
      }),
    );
    const ok = await chat(json({ ...VALID, max_tokens: 10_000_000 }));
    expect(ok.status, ok.text).toBe(200);
    await expectAlive(server);
  });

  it("serves odd but valid Unicode (lone surrogates, NUL, RTL, BOM) or refuses it cleanly", { timeout: 60_000 }, async () => {
    await run(
      fc.asyncProperty(oddString, oddString, oddString, fc.boolean(), async (content, name, user, realModel) => {
        const r = await chat(json({ model: realModel ? MODEL : `no-such-${name}`, messages: [{ role: "user", content, name }], user }));
        if (realModel) {
          expect(r.status, r.text.slice(0, 300)).toBe(200);
          expect(JSON.parse(r.text).choices[0].message.content).toEqual(expect.any(String));
        } else {
          expect(r.status, r.text.slice(0, 300)).toBe(404);
          expectOpenAiError(r);
        }
      }),
    );
    await expectAlive(server);
  });

  it("copes with invalid UTF-8 and control bytes inside strings", { timeout: 60_000 }, async () => {
    await run(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 64 }), async (bytes) => {
        const safe = bytes.map((b) => (b === 0x22 || b === 0x5c ? 0x78 : b));
        const body = Buffer.concat([Buffer.from(`{"model":"${MODEL}","messages":[{"role":"user","content":"`), safe, Buffer.from('"}]}')]);
        const r = await chat(body, { contentType: "application/json" });
        expect([200, 400], r.text.slice(0, 300)).toContain(r.status);
        if (r.status !== 200) expectOpenAiError(r);
      }),
    );
    await expectAlive(server);
  });

  it("refuses bodies that are not JSON, whatever the content type says", { timeout: 60_000 }, async () => {
    const notJson = fc.oneof(
      fc.string({ maxLength: 200 }).filter((s) => {
        try {
          JSON.parse(s);
          return false;
        } catch {
          return true;
        }
      }),
      fc.constantFrom("", " ", "\n", "model=x&messages=y", "<xml/>", "{", '{"model":', "[1,2", "\u0000", "\uFEFF{}", "{'model': 'x'}", "undefined"),
    );
    const contentType = fc.constantFrom(null, "application/json", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json; charset=latin1", "garbage", "");
    await run(
      fc.asyncProperty(notJson, contentType, async (text, ct) => {
        const r = await chat(Buffer.from(text), { contentType: ct });
        expect400(r);
      }),
    );
    await expectAlive(server);
  });

  it("never fails with a 5xx on a valid body sent with an odd or missing content type", { timeout: 30_000 }, async () => {
    for (const ct of [null, "", "text/plain", "application/x-www-form-urlencoded", "application/octet-stream", "application/json; charset=utf-16", "garbage/garbage"]) {
      const r = await chat(Buffer.from(json(VALID)), { contentType: ct });
      expect(r.status, `${ct}: ${r.text.slice(0, 200)}`).toBeLessThan(500);
      if (r.status !== 200) expectOpenAiError(r);
    }
    await expectAlive(server);
  });
});

describe("oversized bodies", () => {
  it("answers 413 past 1 MiB, with or without a content-length", { timeout: 60_000 }, async () => {
    await run(
      fc.asyncProperty(fc.integer({ min: 1, max: 512 * 1024 }), fc.boolean(), fc.boolean(), async (extra, chunked, validJson) => {
        const size = MiB + extra;
        const text = validJson ? json({ ...VALID, messages: [{ role: "user", content: "x".repeat(size) }] }) : "z".repeat(size);
        const bytes = Buffer.from(text);
        const body = chunked
          ? new ReadableStream<Uint8Array>({
              start(c) {
                for (let i = 0; i < bytes.length; i += 64 * 1024) c.enqueue(bytes.subarray(i, i + 64 * 1024));
                c.close();
              },
            })
          : bytes;
        const r = await chat(body, { contentType: "application/json" });
        expect(r.status, r.text.slice(0, 300)).toBe(413);
        expect(expectOpenAiError(r).code).toBe("request_too_large");
      }),
      20,
    );
    await expectAlive(server);
  });

  it("does not stall on a prompt that is one enormous word", { timeout: 60_000 }, async () => {
    // Just under the limit: a tokenizer that is quadratic in word length would hold the event loop for minutes.
    for (const ch of ["x", "中", "\u202E", " "]) {
      const content = ch.repeat(Math.floor((MiB - 1000) / Buffer.byteLength(ch)));
      const started = Date.now();
      const pending = chat(json({ model: echo.model.name, messages: [{ role: "user", content }] }), { key: echo.key });
      const health = await fetch(`${server.url}/api/health`, { signal: AbortSignal.timeout(10_000) });
      const healthMs = Date.now() - started;
      const r = await pending;
      const totalMs = Date.now() - started;
      console.info(`[chat-fuzz] ~1 MiB prompt of ${JSON.stringify(ch)}: answered ${r.status} in ${totalMs} ms, health check meanwhile in ${healthMs} ms`);
      expect(health.status).toBe(200);
      expect(r.status, r.text.slice(0, 300)).toBe(200);
      expect(totalMs).toBeLessThan(5000);
    }
  });
});

describe("credentials", () => {
  it("answers 401 to a missing or wrong key, whatever the body", { timeout: 60_000 }, async () => {
    const badKey = fc.oneof(
      fc.constant(null),
      fc.constant(""),
      fc.string({ minLength: 1, maxLength: 80 }).filter((s) => /^[\x21-\x7e]+$/.test(s)),
      fc.constantFrom("sk-", "sk-" + "a".repeat(48), "Bearer", key.slice(0, -1), key + "x", key.toUpperCase()),
    );
    const body = fc.oneof(fc.jsonValue({ maxDepth: 3 }).map(json), fc.constant(json(VALID)), fc.string({ maxLength: 50 }));
    await run(
      fc.asyncProperty(badKey, body, async (k, b) => {
        const r = await chat(b, { key: k });
        expect(r.status, r.text.slice(0, 300)).toBe(401);
        expect(expectOpenAiError(r).code).toBe("invalid_api_key");
      }),
    );
    // A body over the server-wide cap is refused before anything, the key included, is looked at.
    const oversized = await chat(Buffer.alloc(MiB + 10, 0x7a), { key: "sk-nope" });
    expect(oversized.status).toBe(413);
    const scheme = await post(server, "/v1/chat/completions", json(VALID), { auth: null, headers: { authorization: `Basic ${Buffer.from("a:b").toString("base64")}` } });
    expect(scheme.status).toBe(401);
    await expectAlive(server);
  });
});
