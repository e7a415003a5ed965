import { describe, expect, it } from "vitest";
import { isLoopback, parseTrustedProxies, resolveClient } from "@/lib/server/client-address";

const none = parseTrustedProxies(undefined);
const proxies = parseTrustedProxies("127.0.0.1, 10.0.0.0/8, fd00::/8");

describe("isLoopback", () => {
  it.each(["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1", "::FFFF:127.1.2.3"])("%s is loopback", (ip) => {
    expect(isLoopback(ip)).toBe(true);
  });
  it.each(["192.0.2.2", "10.0.0.1", "::ffff:192.0.2.2", "fd00::2", "0.0.0.0", "::", "", "localhost", "128.0.0.1"])("%s is not", (ip) => {
    expect(isLoopback(ip)).toBe(false);
  });
});

describe("resolveClient", () => {
  it("without trusted proxies, the socket's address, whatever X-Forwarded-For says", () => {
    expect(resolveClient("192.0.2.7", { "x-forwarded-for": "127.0.0.1" }, none)).toEqual({ ip: "192.0.2.7", local: false, https: false });
    expect(resolveClient("::ffff:192.0.2.7", {}, none)).toEqual({ ip: "192.0.2.7", local: false, https: false });
    expect(resolveClient("127.0.0.1", {}, none)).toEqual({ ip: "127.0.0.1", local: true, https: false });
  });

  it("a loopback peer relaying for someone is not local: a proxy on this machine would make everyone local", () => {
    for (const header of ["x-forwarded-for", "forwarded", "x-real-ip"]) {
      expect(resolveClient("127.0.0.1", { [header]: "127.0.0.1" }, none).local, header).toBe(false);
    }
    expect(resolveClient("127.0.0.1", { "x-real-ip": "203.0.113.9" }, proxies).local).toBe(false);
  });

  it("behind trusted proxies, the nearest address that is not one of them", () => {
    expect(resolveClient("127.0.0.1", { "x-forwarded-for": "203.0.113.9" }, proxies)).toEqual({ ip: "203.0.113.9", local: false, https: false });
    // The leftmost entry is the client's own claim: a spoofed one stays to the left of the real hop.
    expect(resolveClient("10.1.2.3", { "x-forwarded-for": "127.0.0.1, 198.51.100.4, 10.9.9.9" }, proxies).ip).toBe("198.51.100.4");
    expect(resolveClient("127.0.0.1", { "x-forwarded-for": "127.0.0.1" }, proxies)).toEqual({ ip: "127.0.0.1", local: true, https: false });
    expect(resolveClient("::ffff:10.0.0.5", { "x-forwarded-for": "2001:db8::1" }, proxies).ip).toBe("2001:db8::1");
    expect(resolveClient("fd00::2", { "x-forwarded-for": "198.51.100.4", "x-forwarded-proto": "https" }, proxies)).toEqual({ ip: "198.51.100.4", local: false, https: true });
  });

  it("garbage in the chain leaves the last address that could be vouched for", () => {
    expect(resolveClient("127.0.0.1", { "x-forwarded-for": "198.51.100.4, not-an-ip" }, proxies)).toEqual({ ip: "127.0.0.1", local: true, https: false });
    expect(resolveClient("127.0.0.1", { "x-forwarded-for": "evil, 10.0.0.2" }, proxies).ip).toBe("10.0.0.2");
  });

  it("https only on a trusted proxy's word", () => {
    expect(resolveClient("192.0.2.7", { "x-forwarded-proto": "https" }, none).https).toBe(false);
    expect(resolveClient("127.0.0.1", { "x-forwarded-proto": "https", "x-forwarded-for": "198.51.100.4" }, proxies).https).toBe(true);
  });
});

describe("parseTrustedProxies", () => {
  it.each(["nonsense", "10.0.0.0/33", "fd00::/129", "10.0.0.0/x", "1.2.3"])("refuses %s", (value) => {
    expect(() => parseTrustedProxies(value)).toThrow(/SWITCHYARD_TRUSTED_PROXIES/);
  });
});
