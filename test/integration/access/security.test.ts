/**
 * Headers every page carries, and provider base URLs that would turn the gateway into an SSRF
 * proxy refused at the admin API.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type TestServer } from "../../helpers/server";

let server: TestServer;
let allowlisted: TestServer;

beforeAll(async () => {
  [server, allowlisted] = await Promise.all([
    startServer(),
    startServer({ env: { SWITCHYARD_PROVIDER_ALLOWLIST: "api.openai.com,*.openrouter.ai,127.0.0.1:11434" } }),
  ]);
});

afterAll(async () => {
  await Promise.all([server?.stop(), allowlisted?.stop()]);
});

describe("security headers", () => {
  it.each(["/sign-in", "/", "/api/health", "/v1/models"])("%s carries CSP, frame-ancestors, nosniff and a referrer policy", async (path) => {
    const res = await fetch(server.url + path, { redirect: "manual" });
    await res.arrayBuffer();
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
  });
});

describe("provider base URLs (SSRF)", () => {
  const create = (s: TestServer, baseUrl: string) =>
    s.admin("/api/admin/providers", { method: "POST", json: { name: `p-${Math.random().toString(36).slice(2, 8)}`, kind: "openai-compatible", baseUrl } });

  it("refuses cloud-metadata and link-local addresses even without an allow-list", async () => {
    for (const url of ["http://169.254.169.254/latest/meta-data", "http://metadata.google.internal/v1", "http://[fe80::1]/v1"]) {
      const res = await create(server, url);
      expect(res.status, url).toBe(400);
      expect((await res.json()).error).toMatchObject({ param: "baseUrl", code: "egress_denied", type: "invalid_request_error" });
    }
    expect((await create(server, "http://localhost:11434/v1")).status).toBe(201);
  });

  it("with an allow-list, accepts only the listed hosts", async () => {
    expect((await create(allowlisted, "https://api.openai.com/v1")).status).toBe(201);
    expect((await create(allowlisted, "https://eu.openrouter.ai/api/v1")).status).toBe(201);
    expect((await create(allowlisted, "http://127.0.0.1:11434/v1")).status).toBe(201);
    for (const url of ["http://127.0.0.1:22/v1", "http://10.0.0.7/v1", "https://openrouter.ai.attacker.example/v1"]) {
      const res = await create(allowlisted, url);
      expect(res.status, url).toBe(400);
      expect((await res.json()).error.code).toBe("egress_denied");
    }
    // Nothing refused was stored.
    const names = (await (await allowlisted.admin("/api/admin/providers")).json()).data.map((p: { baseUrl: string }) => p.baseUrl);
    expect(names.sort()).toEqual(["http://127.0.0.1:11434/v1", "https://api.openai.com/v1", "https://eu.openrouter.ai/api/v1"]);
  });
});
