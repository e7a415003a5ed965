/**
 * What the server prints: the banner and our own JSON log lines, nothing else. In particular no
 * notice from the auth library about a missing base URL (none is set here, and taking the origin
 * from each request is intended) and no line from Next about loading its config.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type TestServer } from "../helpers/server";

let server: TestServer;

beforeAll(async () => {
  server = await startServer({ env: { SWITCHYARD_LOG_LEVEL: "info", SWITCHYARD_PUBLIC_URL: "" } });
});

afterAll(async () => {
  await server?.stop();
});

describe("start-up output", () => {
  it("is the banner and JSON log lines, even after the auth library has loaded", async () => {
    // A session check and a sign-in create the auth library (it loads on first use).
    expect((await fetch(`${server.url}/sign-in`)).status).toBe(200);
    const signIn = await fetch(`${server.url}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: server.url },
      body: JSON.stringify({ email: "nobody@example.com", password: "not-the-password" }),
    });
    expect(signIn.status).toBe(401);

    const lines = server.output().trim().split("\n");
    const banner = /^(Switchyard listening on |Admin token|Demo API key|Setup token)/;
    const strays = lines.filter((line) => !banner.test(line) && !isJsonLog(line));
    expect(strays).toEqual([]);
    expect(server.output()).not.toMatch(/base url|better auth|next\.config/i);
  });
});

function isJsonLog(line: string): boolean {
  try {
    const entry = JSON.parse(line) as { level?: unknown; msg?: unknown };
    return typeof entry.level === "string" && typeof entry.msg === "string";
  } catch {
    return false;
  }
}
