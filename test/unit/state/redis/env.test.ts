import { describe, expect, it } from "vitest";
import { parseRedisEnv } from "@/lib/state/redis/env";

describe("parseRedisEnv", () => {
  it("without REDIS_URL state stays in memory, and refusing is the default outage policy", () => {
    expect(parseRedisEnv({})).toEqual({ url: null, onUnavailable: "refuse", prefix: "switchyard:" });
    expect(parseRedisEnv({ REDIS_URL: "  " }).url).toBeNull();
  });

  it("reads the URL, the outage policy and the prefix", () => {
    const env = parseRedisEnv({ REDIS_URL: "rediss://:pw@cache:6380/2", SWITCHYARD_REDIS_UNAVAILABLE: "local", SWITCHYARD_REDIS_PREFIX: "gw1:" });
    expect(env).toEqual({ url: "rediss://:pw@cache:6380/2", onUnavailable: "local", prefix: "gw1:" });
  });

  it("rejects a URL that is not Redis's and an unknown policy", () => {
    expect(() => parseRedisEnv({ REDIS_URL: "http://cache:6379" })).toThrow(/REDIS_URL/);
    expect(() => parseRedisEnv({ SWITCHYARD_REDIS_UNAVAILABLE: "ignore" })).toThrow(/SWITCHYARD_REDIS_UNAVAILABLE/);
  });
});
