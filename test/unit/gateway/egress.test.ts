import { describe, expect, it } from "vitest";
import { checkEgress, parseAllowlist } from "@/lib/gateway/egress";

describe("egress policy", () => {
  it("always refuses cloud metadata and link-local addresses", () => {
    for (const url of ["http://169.254.169.254/latest/meta-data", "http://metadata.google.internal/computeMetadata/v1", "http://[fe80::1]/v1", "http://0.0.0.0:80/v1"]) {
      expect(checkEgress(url, null).ok, url).toBe(false);
    }
    expect(checkEgress("file:///etc/passwd", null).ok).toBe(false);
  });

  it("allows any other http(s) host when no allow-list is set", () => {
    expect(checkEgress("https://api.openai.com/v1", null)).toEqual({ ok: true });
    expect(checkEgress("http://localhost:11434/v1", null)).toEqual({ ok: true });
  });

  it("allows only listed hosts, wildcards and ports when an allow-list is set", () => {
    const list = parseAllowlist(" api.openai.com, *.openrouter.ai ,localhost:11434,");
    expect(list).toEqual(["api.openai.com", "*.openrouter.ai", "localhost:11434"]);
    expect(checkEgress("https://api.openai.com/v1", list).ok).toBe(true);
    expect(checkEgress("https://eu.openrouter.ai/api/v1", list).ok).toBe(true);
    expect(checkEgress("https://openrouter.ai.evil.com/v1", list).ok).toBe(false);
    expect(checkEgress("http://localhost:11434/v1", list).ok).toBe(true);
    expect(checkEgress("http://localhost:8000/v1", list).ok).toBe(false);
    expect(checkEgress("http://10.0.0.5/v1", list)).toMatchObject({ ok: false, reason: expect.stringContaining("SWITCHYARD_PROVIDER_ALLOWLIST") });
    expect(parseAllowlist("")).toBeNull();
  });
});
