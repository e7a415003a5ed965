import { describe, expect, it } from "vitest";
import { checkEgress, isEgressDenied, judgeHost, normalizeHost, parseAllowlist, EgressDenied } from "@/lib/gateway/egress";

describe("egress policy", () => {
  it.each([
    ["http://169.254.169.254/latest/meta-data", "AWS, GCP, Azure and Oracle metadata"],
    ["http://2852039166/", "169.254.169.254 as one decimal number"],
    ["http://0xa9.0xfe.0xa9.0xfe/", "hex parts"],
    ["http://0251.0376.0251.0376/", "octal parts"],
    ["http://0xa9fea9fe/", "one hex number"],
    ["http://169.254.43518/", "a.b.c with a 16-bit last part"],
    ["http://169.254.169.254./", "trailing dot"],
    ["http://[::ffff:169.254.169.254]/", "IPv4-mapped, dotted"],
    ["http://[::ffff:a9fe:a9fe]/", "IPv4-mapped, hex"],
    ["http://[::169.254.169.254]/", "IPv4-compatible"],
    ["http://[::ffff:0:a9fe:a9fe]/", "IPv4-translated"],
    ["http://[64:ff9b::a9fe:a9fe]/", "NAT64 well-known prefix"],
    ["http://[64:ff9b:1::a9fe:a9fe]/", "NAT64 local-use prefix"],
    ["http://metadata.google.internal/computeMetadata/v1", "GCP metadata name"],
    ["http://metadata.google.internal./", "GCP metadata name with a trailing dot"],
    ["http://METADATA.Google.Internal../", "mixed case and two trailing dots"],
    ["http://metadata/", "GCP's short name"],
    ["http://[fd00:ec2::254]/", "AWS metadata over IPv6"],
    ["http://100.100.100.200/", "Alibaba metadata"],
    ["http://192.0.0.192/", "Oracle legacy metadata"],
    ["http://168.63.129.16/", "Azure wireserver"],
    ["http://0.0.0.0/", "unspecified"],
    ["http://0/", "unspecified as one number"],
    ["http://0.1.2.3/", "0.0.0.0/8"],
    ["http://[::]/", "IPv6 unspecified"],
    ["http://[::ffff:0.0.0.0]/", "mapped unspecified"],
    ["http://224.0.0.1/", "IPv4 multicast"],
    ["http://239.255.255.250:1900/", "SSDP multicast"],
    ["http://[ff02::1]/", "IPv6 multicast"],
    ["http://[::ffff:224.0.0.1]/", "mapped multicast"],
    ["http://[fe80::1]/", "IPv6 link-local"],
    ["http://[febf::1]/", "top of fe80::/10"],
    ["http://169.254.0.1:8080/v1", "anywhere in 169.254.0.0/16"],
    ["http://255.255.255.255/", "broadcast"],
  ])("refuses %s (%s)", (url) => {
    const verdict = checkEgress(url, null);
    expect(verdict.ok).toBe(false);
  });

  it.each([
    "https://api.openai.com/v1",
    "http://localhost:11434/v1",
    "http://127.0.0.1:8000/v1",
    "http://[::1]:8000/v1",
    "http://10.0.0.5/v1",
    "http://192.168.1.20:8000/v1",
    "http://172.16.0.9/v1",
    "http://100.64.0.1/v1",
    "http://[fd12:3456::1]/v1",
    "http://[::ffff:10.0.0.5]/v1",
    "http://[64:ff9b::808:808]/v1",
    "https://openrouter.ai/api/v1",
    "http://169.253.255.255/v1",
    "http://169.255.0.1/v1",
    "http://metadata.example.com/v1",
    "http://1.0.0.0/v1",
    "http://223.255.255.255/v1",
  ])("allows %s", (url) => {
    expect(checkEgress(url, null)).toEqual({ ok: true });
  });

  it("refuses what is not an http(s) URL", () => {
    expect(checkEgress("file:///etc/passwd", null)).toMatchObject({ ok: false, reason: "only http and https are allowed" });
    expect(checkEgress("not a url", null)).toMatchObject({ ok: false, reason: "not a valid URL" });
  });

  it("says what the address is, in its normal form", () => {
    expect(checkEgress("http://0xa9.0xfe.0xa9.0xfe/", null)).toEqual({ ok: false, reason: "169.254.169.254 is a link-local address" });
    expect(checkEgress("http://[64:ff9b::a9fe:a9fe]/", null)).toEqual({ ok: false, reason: "64:ff9b::a9fe:a9fe is a link-local address" });
    expect(checkEgress("http://100.100.100.200/", null)).toEqual({ ok: false, reason: "100.100.100.200 is a cloud metadata address" });
    expect(checkEgress("http://metadata.google.internal./", null)).toEqual({ ok: false, reason: "metadata.google.internal is a cloud metadata host name" });
  });

  it("allows only listed hosts, wildcards and ports when an allow-list is set", () => {
    const list = parseAllowlist(" api.openai.com, *.openrouter.ai ,localhost:11434,");
    expect(list).toEqual(["api.openai.com", "*.openrouter.ai", "localhost:11434"]);
    expect(checkEgress("https://api.openai.com/v1", list).ok).toBe(true);
    expect(checkEgress("https://api.openai.com./v1", list).ok).toBe(true);
    expect(checkEgress("https://eu.openrouter.ai/api/v1", list).ok).toBe(true);
    expect(checkEgress("https://openrouter.ai.evil.com/v1", list).ok).toBe(false);
    expect(checkEgress("http://localhost:11434/v1", list).ok).toBe(true);
    expect(checkEgress("http://localhost:8000/v1", list).ok).toBe(false);
    expect(checkEgress("http://10.0.0.5/v1", list)).toMatchObject({ ok: false, reason: expect.stringContaining("SWITCHYARD_PROVIDER_ALLOWLIST") });
    expect(parseAllowlist("")).toBeNull();
  });

  it("lets a host the allow-list names exactly through the address rules, but not one it matches by wildcard", () => {
    const list = parseAllowlist("169.254.10.5:8080,[fe80::1],metadata.google.internal,*.internal");
    expect(checkEgress("http://169.254.10.5:8080/v1", list)).toEqual({ ok: true });
    expect(checkEgress("http://2851998213:8080/v1", list)).toEqual({ ok: true }); // 169.254.10.5 written as a number
    expect(checkEgress("http://169.254.10.5:9090/v1", list).ok).toBe(false);
    expect(checkEgress("http://[fe80::1]/v1", list)).toEqual({ ok: true });
    expect(checkEgress("http://metadata.google.internal./v1", list)).toEqual({ ok: true });
    expect(checkEgress("http://instance-data.internal/v1", list)).toEqual({ ok: true });
    expect(checkEgress("http://169.254.169.254/v1", list).ok).toBe(false);
    expect(judgeHost("metadata.google.internal", "80", list)).toEqual({ ok: true, named: true });
    expect(judgeHost("models.internal", "80", list)).toEqual({ ok: true, named: false });
  });

  it("normalises hosts and recognises its refusal however it is wrapped", () => {
    expect(normalizeHost("[FE80::1]")).toBe("fe80::1");
    expect(normalizeHost("Metadata.Google.Internal..")).toBe("metadata.google.internal");
    const denied = new EgressDenied("x");
    expect(isEgressDenied(denied)).toBe(true);
    expect(isEgressDenied(new Error("fetch failed", { cause: denied }))).toBe(true);
    // A copy from another bundle of this module is recognised by its code.
    expect(isEgressDenied({ code: "EGRESS_DENIED" })).toBe(true);
    expect(isEgressDenied(Object.assign(new Error("refused"), { code: "ECONNREFUSED" }))).toBe(false);
  });
});
