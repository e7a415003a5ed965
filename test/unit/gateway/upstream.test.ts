import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inMemoryState } from "@/lib/gateway/state";
import type { Resolver } from "@/lib/gateway/egress-connector";
import { createHttpClient, fetchClient } from "@/lib/gateway/providers/transport";
import { openUpstream, UpstreamFailure, type UpstreamTarget } from "@/lib/gateway/upstream";
import { DEFAULT_PROVIDER_SETTINGS, type GatewayDeps, type ModelConfig, type ProviderConfig } from "@/lib/gateway/types";
import { completion, sendJson, startUpstream, type TestUpstream } from "../../helpers/upstream";

const provider = (id: string, egressDenied: string | null, extra: Partial<ProviderConfig> = {}): ProviderConfig => ({
  id, name: id, kind: "openai-compatible", baseUrl: `http://${id}.test/v1`, apiKey: null, settings: DEFAULT_PROVIDER_SETTINGS, egressDenied, ...extra,
});
const model = (name: string, providerId: string): ModelConfig => ({
  id: name, name, providerId, upstreamModel: name, inputMicrosPerMTok: 0, outputMicrosPerMTok: 0, maxOutputTokens: null, maxTokensField: "both",
  rpmLimit: null, tpmLimit: null, fallbacks: [], endpoints: ["chat"], simulator: null, createdAt: 0,
});

function deps(calls: string[], answer: (req: Request) => Response | Promise<Response> = () => Response.json({ id: "x", choices: [{ message: { role: "assistant", content: "hi" } }] })): GatewayDeps {
  return {
    ...inMemoryState({ loadSpend: () => 0 }),
    store: {} as GatewayDeps["store"],
    requestId: () => "req_test",
    now: Date.now,
    random: () => 0,
    sleep: async () => {},
    http: fetchClient(async (req) => {
      calls.push(new URL(req.url).host);
      return answer(req);
    }),
    simulator: async () => new Response(null, { status: 500 }),
    log: { debug() {}, info() {}, warn() {}, error() {} },
  };
}

const open = (d: GatewayDeps, targets: UpstreamTarget[], stream = false) =>
  openUpstream(d, { targets, operation: "chat", body: { model: "m", messages: [] }, stream, clientSignal: new AbortController().signal, startedAt: Date.now(), tokens: 0, grants: [] });

describe("egress policy at call time", () => {
  it("never calls a forbidden provider and serves from the next target", async () => {
    const calls: string[] = [];
    const opened = await open(deps(calls), [
      { model: model("a", "bad"), provider: provider("bad", "10.0.0.7 is not in SWITCHYARD_PROVIDER_ALLOWLIST") },
      { model: model("b", "good"), provider: provider("good", null) },
    ]);
    expect(calls).toEqual(["good.test"]);
    expect(opened.target.model.name).toBe("b");
    expect(opened.fallbackUsed).toBe(true);
  });

  it("fails with 502 and makes no call when every target is forbidden", async () => {
    const calls: string[] = [];
    const err = await open(deps(calls), [{ model: model("a", "bad"), provider: provider("bad", "metadata address") }]).catch((e) => e);
    expect(err).toBeInstanceOf(UpstreamFailure);
    expect(err.error.status).toBe(502);
    expect(err.error).toMatchObject({ status: 502, type: "upstream_error", code: "egress_denied" });
    // The caller learns the policy; the address is for the operator's log.
    expect(err.error.message).toContain("egress policy");
    expect(err.error.message).not.toContain("metadata address");
    expect(calls).toEqual([]);
  });
});

describe("egress policy at connect time, through the pooled client", () => {
  let upstream: TestUpstream;
  let http: ReturnType<typeof createHttpClient>;
  const names: Record<string, string> = { "evil.test": "169.254.169.254", "mapped.test": "::ffff:169.254.169.254", "good.test": "127.0.0.1" };
  const resolve: Resolver = async (name) => {
    const address = names[name];
    if (!address) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: "ENOTFOUND" });
    return [{ address, family: address.includes(":") ? 6 : 4 }];
  };

  beforeAll(async () => {
    upstream = await startUpstream((_req, res) => sendJson(res, 200, completion("up", "hi", { prompt_tokens: 1, completion_tokens: 1 })));
    http = createHttpClient({ allowlist: null, resolve });
  });
  afterAll(async () => {
    await http?.close();
    await upstream?.close();
  });

  const at = (host: string) => provider(host, null, { baseUrl: `http://${host}:${new URL(upstream.url).port}/v1` });

  it("answers 502 upstream_error naming the policy, without connecting, retrying or blaming the client", async () => {
    for (const host of ["evil.test", "mapped.test"]) {
      const before = upstream.received.length;
      const err = await open({ ...deps([]), http: http.client }, [{ model: model("a", host), provider: at(host) }]).catch((e) => e);
      expect(err).toBeInstanceOf(UpstreamFailure);
      expect(err.error).toMatchObject({ status: 502, type: "upstream_error", code: "egress_denied" });
      expect(err.error.message).toContain("egress policy");
      expect(err.error.message).not.toMatch(/169\.254|ffff|evil|mapped/);
      expect(err.attempts).toBe(1);
      expect(upstream.received.length).toBe(before);
    }
  });

  it("falls back to a provider whose name resolves to an allowed address", async () => {
    const opened = await open({ ...deps([]), http: http.client }, [
      { model: model("a", "evil.test"), provider: at("evil.test") },
      { model: model("b", "good.test"), provider: at("good.test") },
    ]);
    expect(opened.target.model.name).toBe("b");
    expect(opened.kind === "plain" && opened.answer.events).toContainEqual({ type: "delta", choice: 0, kind: "content", text: "hi" });
  });
});

describe("upstream text passed on to the caller", () => {
  const KEY = "sk-upstream-Secret-123456";
  const keyed = [{ model: model("a", "p"), provider: provider("p", null, { apiKey: KEY }) }];
  const forms = [KEY, KEY.toUpperCase(), encodeURIComponent(`Bearer ${KEY}`), Buffer.from(KEY).toString("base64"), Buffer.from(`Bearer ${KEY}`).toString("base64url")];
  const leaks = (text: string) => forms.filter((f) => text.includes(f)).concat(text.toLowerCase().includes(KEY.toLowerCase()) ? ["any case"] : []);

  it("redacts the key from a relayed 4xx message, param and code", async () => {
    const err = await open(
      deps([], () => Response.json({ error: { message: `Bad key ${forms.join(" / ")}`, type: "invalid_request_error", code: `key_${KEY}`, param: KEY } }, { status: 400 })),
      keyed,
    ).catch((e) => e);
    expect(err.error.status).toBe(400);
    expect(err.error.message).toContain("Bad key ••••");
    expect(leaks(JSON.stringify(err.error.body()))).toEqual([]);
  });

  it("redacts the key from a redirect's location and a retried 5xx message", async () => {
    const redirect = await open(deps([], () => new Response(null, { status: 302, headers: { location: `https://elsewhere.example/v1?key=${KEY}` } })), keyed).catch((e) => e);
    expect(redirect.error.message).toContain("to https://elsewhere.example/v1?key=••••");
    const failing = await open(deps([], () => Response.json({ error: { message: `upstream broke with ${KEY.toUpperCase()}` } }, { status: 503 })), keyed).catch((e) => e);
    expect(failing.error.message).toContain("upstream broke with ••••");
    for (const e of [redirect, failing]) expect(leaks(JSON.stringify(e.error.body()))).toEqual([]);
  });

  it("redacts the key from an error event that opens a stream, and never passes the raw event on", async () => {
    const sse = (data: string) => new Response(`data: ${data}\n\n`, { headers: { "content-type": "text/event-stream" } });
    const err = await open(deps([], () => sse(JSON.stringify({ error: { message: `quota for ${KEY}` }, extra: KEY }))), keyed, true).catch((e) => e);
    expect(err.error.message).toBe("The upstream stream failed: quota for ••••");
    const unparsable = await open(deps([], () => sse(`{"error" ${KEY}`)), keyed, true).catch((e) => e);
    expect(unparsable.error.message).toBe("The upstream stream began with an event that is not valid JSON.");
    expect(unparsable.error.message).not.toContain(KEY);
  });
});
