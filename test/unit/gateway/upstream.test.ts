import { describe, expect, it } from "vitest";
import { CircuitBreakers } from "@/lib/gateway/circuit-breaker";
import { fetchClient } from "@/lib/gateway/providers/transport";
import { openUpstream, UpstreamFailure, type UpstreamTarget } from "@/lib/gateway/upstream";
import { DEFAULT_PROVIDER_SETTINGS, type GatewayDeps, type ModelConfig, type ProviderConfig } from "@/lib/gateway/types";

const provider = (id: string, egressDenied: string | null): ProviderConfig => ({
  id, name: id, kind: "openai-compatible", baseUrl: `http://${id}.test/v1`, apiKey: null, settings: DEFAULT_PROVIDER_SETTINGS, egressDenied,
});
const model = (name: string, providerId: string): ModelConfig => ({
  id: name, name, providerId, upstreamModel: name, inputMicrosPerMTok: 0, outputMicrosPerMTok: 0, maxOutputTokens: null,
  rpmLimit: null, tpmLimit: null, fallbacks: [], simulator: null, createdAt: 0,
});

function deps(calls: string[]): GatewayDeps {
  return {
    store: {} as GatewayDeps["store"],
    now: Date.now,
    random: () => 0,
    sleep: async () => {},
    http: fetchClient(async (req) => {
      calls.push(new URL(req.url).host);
      return Response.json({ id: "x", choices: [{ message: { role: "assistant", content: "hi" } }] });
    }),
    simulator: async () => new Response(null, { status: 500 }),
    log: { debug() {}, info() {}, warn() {}, error() {} },
  };
}

const open = (d: GatewayDeps, targets: UpstreamTarget[]) =>
  openUpstream(d, { targets, body: { model: "m", messages: [] }, stream: false, clientSignal: new AbortController().signal, startedAt: Date.now(), breakers: new CircuitBreakers() });

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
    expect(err.error.message).toContain("metadata address");
    expect(calls).toEqual([]);
  });
});
