/**
 * The egress policy at connect time, over real connections to a loopback server, with a resolver
 * that points test names wherever each case needs.
 */
import type { LookupAddress } from "node:dns";
import { request, type Agent } from "undici";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createEgressAgent, type Resolver } from "@/lib/gateway/egress-connector";
import { startUpstream, type TestUpstream } from "../../helpers/upstream";

const NAMES: Record<string, LookupAddress[]> = {
  "evil.test": [{ address: "169.254.169.254", family: 4 }],
  "mapped.test": [{ address: "::ffff:169.254.169.254", family: 6 }],
  "nat64.test": [{ address: "64:ff9b::a9fe:a9fe", family: 6 }],
  "alibaba.test": [{ address: "100.100.100.200", family: 4 }],
  // One good address does not excuse a forbidden one beside it.
  "mixed.test": [{ address: "127.0.0.1", family: 4 }, { address: "169.254.169.254", family: 4 }],
  "good.test": [{ address: "127.0.0.1", family: 4 }],
  "also-good.example": [{ address: "127.0.0.1", family: 4 }],
};

const asked: string[] = [];
const resolve: Resolver = async (hostname) => {
  asked.push(hostname);
  const found = NAMES[hostname.replace(/\.$/, "")];
  if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
  return found;
};

let upstream: TestUpstream;
let port: number;
const agents: Agent[] = [];

beforeAll(async () => {
  upstream = await startUpstream((_req, res) => void res.end("reached"));
  port = Number(new URL(upstream.url).port);
});
afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.close()));
});
afterAll(async () => {
  await upstream?.close();
});

function agent(allowlist: string[] | null = null): Agent {
  const a = createEgressAgent({ allowlist, resolve });
  agents.push(a);
  return a;
}

async function get(a: Agent, host: string): Promise<{ status: number; body: string } | { error: { name: string; code: unknown; message: string } }> {
  try {
    const res = await request(`http://${host}:${port}/v1/models`, { dispatcher: a });
    return { status: res.statusCode, body: await res.body.text() };
  } catch (err) {
    const e = err as Error & { code?: unknown };
    return { error: { name: e.name, code: e.code, message: e.message } };
  }
}

describe("egress policy at connect time", () => {
  it.each(["evil.test", "mapped.test", "nat64.test", "alibaba.test", "mixed.test", "evil.test."])(
    "refuses %s, whose name resolves to a forbidden address, without connecting",
    async (host) => {
      const before = upstream.received.length;
      const result = await get(agent(), host);
      expect(result).toMatchObject({ error: { code: "EGRESS_DENIED" } });
      expect(upstream.received.length).toBe(before);
    },
  );

  it.each(["169.254.169.254", "[::ffff:169.254.169.254]", "[64:ff9b::a9fe:a9fe]", "0.0.0.0", "[fe80::1]", "224.0.0.1"])(
    "refuses the literal %s without a lookup or a connection",
    async (host) => {
      asked.length = 0;
      const result = await get(agent(), host);
      expect(result).toMatchObject({ error: { code: "EGRESS_DENIED" } });
      expect(asked).toEqual([]);
    },
  );

  it("connects to a name that resolves to loopback, and to loopback itself", async () => {
    const a = agent();
    expect(await get(a, "good.test")).toEqual({ status: 200, body: "reached" });
    expect(await get(a, "127.0.0.1")).toEqual({ status: 200, body: "reached" });
  });

  it("passes a lookup failure on as itself", async () => {
    expect(await get(agent(), "nowhere.test")).toMatchObject({ error: { code: "ENOTFOUND" } });
  });

  it("applies the allow-list at connect time too", async () => {
    const a = agent([`good.test:${port}`, "*.example"]);
    expect(await get(a, "good.test")).toEqual({ status: 200, body: "reached" });
    expect(await get(a, "also-good.example")).toEqual({ status: 200, body: "reached" });
    expect(await get(a, "127.0.0.1")).toMatchObject({ error: { code: "EGRESS_DENIED", message: expect.stringContaining("SWITCHYARD_PROVIDER_ALLOWLIST") } });
  });

  it("still checks the addresses of a name the allow-list matches only by wildcard", async () => {
    const before = upstream.received.length;
    expect(await get(agent(["*.test"]), "evil.test")).toMatchObject({ error: { code: "EGRESS_DENIED" } });
    expect(upstream.received.length).toBe(before);
  });
});
