/**
 * "Test connection" against loopback upstreams: status, latency and models on success, one fixed
 * message per kind of failure, and nothing the upstream wrote in a failure.
 */
import { createServer, type AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FAILURE_MESSAGES, testConnection, type ProviderTestResult } from "@/lib/admin/provider-test";
import { createEgressAgent, type Resolver } from "@/lib/gateway/egress-connector";
import { DEFAULT_PROVIDER_SETTINGS, type ProviderConfig } from "@/lib/gateway/types";
import { sendJson, startUpstream, type TestUpstream } from "../../helpers/upstream";

const KEY = "sk-upstream-Test-Key-0042";
const PASSWD = "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n";
const quoted = [KEY, KEY.toUpperCase(), encodeURIComponent(`Bearer ${KEY}`), Buffer.from(`Bearer ${KEY}`).toString("base64")];

const names: Record<string, string> = { "evil.test": "169.254.169.254", "nat64.test": "64:ff9b::a9fe:a9fe", "good.test": "127.0.0.1" };
const resolve: Resolver = async (name) => {
  const address = names[name];
  if (!address) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: "ENOTFOUND" });
  return [{ address, family: address.includes(":") ? 6 : 4 }];
};

let upstream: TestUpstream;
let port: string;
const dispatcher = createEgressAgent({ allowlist: null, resolve });

/** Each path on the upstream answers one way; the provider's base URL picks it. */
beforeAll(async () => {
  upstream = await startUpstream((req, res) => {
    const scenario = req.path.split("/")[1];
    const quote = `Incorrect API key provided: ${quoted.join(" ")}`;
    switch (scenario) {
      case "ok":
        return sendJson(res, 200, { object: "list", data: [{ id: "up-small" }, { id: "up-large" }, { id: "up-small" }, { id: `leaky-${KEY}` }, { nope: 1 }] });
      case "passwd":
        res.writeHead(200, { "content-type": "text/plain" });
        return void res.end(PASSWD);
      case "passwd-404":
        res.writeHead(404, { "content-type": "text/plain" });
        return void res.end(PASSWD);
      case "key":
        return sendJson(res, 401, { error: { message: quote, type: "invalid_request_error" } });
      case "forbidden":
        return sendJson(res, 403, { error: { message: quote } });
      case "ratelimited":
        return sendJson(res, 429, { error: { message: quote } });
      case "broken":
        return sendJson(res, 502, { error: { message: quote } });
      case "teapot":
        return sendJson(res, 418, { error: { message: quote } });
      case "redirect":
        res.writeHead(302, { location: `http://169.254.169.254/latest/meta-data?key=${KEY}` });
        return void res.end(quote);
      case "not-a-list":
        return sendJson(res, 200, { error: { message: quote } });
      case "slow":
        return; // never answers
      default:
        return sendJson(res, 500, {});
    }
  });
  port = new URL(upstream.url).port;
});
afterAll(async () => {
  await dispatcher.close();
  await upstream?.close();
});

const provider = (baseUrl: string | null, kind: ProviderConfig["kind"] = "openai-compatible"): ProviderConfig => ({
  id: "prv_test", name: "test", kind, baseUrl, apiKey: KEY, settings: DEFAULT_PROVIDER_SETTINGS, egressDenied: null,
});

const run = (baseUrl: string | null, timeoutMs = 5000) => testConnection(provider(baseUrl), { dispatcher, now: Date.now, timeoutMs });

function expectNothingRelayed(result: ProviderTestResult) {
  const text = JSON.stringify(result);
  for (const q of quoted) expect(text).not.toContain(q);
  expect(text.toLowerCase()).not.toContain(KEY.toLowerCase());
  for (const leak of ["root:x", "Incorrect API key", "169.254", "meta-data"]) expect(text).not.toContain(leak);
}

async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const { port: p } = srv.address() as AddressInfo;
  await new Promise((r) => srv.close(r));
  return p;
}

describe("provider connection test", () => {
  it("reports status, latency, the model count and the models, the key redacted from their ids", async () => {
    const result = await run(`${upstream.url}/ok/v1`);
    expect(result).toEqual({ ok: true, status: 200, latencyMs: expect.any(Number), modelCount: 3, models: ["leaky-••••", "up-large", "up-small"] });
    expect(upstream.received.at(-1)).toMatchObject({ path: "/ok/v1/models" });
    expect(upstream.received.at(-1)!.headers.authorization).toBe(`Bearer ${KEY}`);
    expectNothingRelayed(result);
  });

  it.each([
    ["passwd", 200, FAILURE_MESSAGES.notModelList],
    ["passwd-404", 404, FAILURE_MESSAGES.notFound],
    ["not-a-list", 200, FAILURE_MESSAGES.notModelList],
    ["key", 401, FAILURE_MESSAGES.keyRefused],
    ["forbidden", 403, FAILURE_MESSAGES.keyRefused],
    ["ratelimited", 429, FAILURE_MESSAGES.rateLimited],
    ["broken", 502, FAILURE_MESSAGES.serverError],
    ["teapot", 418, FAILURE_MESSAGES.status],
    ["redirect", 302, FAILURE_MESSAGES.redirect],
  ])("answers %s with its status and only the fixed message", async (scenario, status, message) => {
    const result = await run(`${upstream.url}/${scenario}/v1`);
    expect(result).toEqual({ ok: false, status, latencyMs: expect.any(Number), message });
    expectNothingRelayed(result);
  });

  it("does not follow a redirect", async () => {
    const before = upstream.received.length;
    await run(`${upstream.url}/redirect/v1`);
    expect(upstream.received.length - before).toBe(1);
  });

  it("names the kind of network failure, not its details", async () => {
    expect(await run(`http://127.0.0.1:${await closedPort()}/v1`)).toMatchObject({ ok: false, status: null, message: FAILURE_MESSAGES.refused });
    expect(await run(`http://unknown.test:${port}/v1`)).toMatchObject({ ok: false, status: null, message: FAILURE_MESSAGES.dns });
    expect(await run(`${upstream.url}/slow/v1`, 300)).toMatchObject({ ok: false, status: null, message: FAILURE_MESSAGES.timeout });
    expect(await run(`https://127.0.0.1:${port}/v1`)).toMatchObject({ ok: false, status: null, message: FAILURE_MESSAGES.tls });
    expect(await run(null)).toMatchObject({ ok: false, status: null, message: FAILURE_MESSAGES.noBaseUrl });
  });

  it("is refused by the egress policy at connect time, without a connection", async () => {
    const before = upstream.received.length;
    for (const host of ["evil.test", "nat64.test", "169.254.169.254", "[::ffff:169.254.169.254]"]) {
      const result = await run(`http://${host}:${port}/v1`);
      expect(result, host).toMatchObject({ ok: false, status: null, message: FAILURE_MESSAGES.egress });
      expectNothingRelayed(result);
    }
    expect(upstream.received.length).toBe(before);
    expect(await run(`http://good.test:${port}/ok/v1`)).toMatchObject({ ok: true, modelCount: 3 });
  });

  it("lists the built-in simulator's models without the network", async () => {
    const result = await testConnection(provider(null, "simulator"), { dispatcher, now: Date.now });
    expect(result).toMatchObject({ ok: true, status: 200 });
    if (result.ok) expect(result.modelCount).toBe(result.models.length);
  });
});
