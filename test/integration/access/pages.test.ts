/** Who sees which page: anonymous people are sent to sign in, settings are for admins only. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestServer } from "../../helpers/server";
import { adminJson, createPerson, signIn, startAccessServer } from "./helpers";

let server: TestServer;
let adminCookie: string;
let memberCookie: string;

async function page(path: string, cookie?: string) {
  const res = await fetch(server.url + path, { redirect: "manual", headers: cookie ? { cookie } : {} });
  await res.arrayBuffer();
  return { status: res.status, location: res.headers.get("location") };
}

beforeAll(async () => {
  server = await startAccessServer();
  const team = await adminJson(server, "/api/admin/teams", { method: "POST", json: { name: "Pages team" } });
  const admin = await createPerson(server, { email: "admin@pages.test", password: "admin-password-1", role: "admin" });
  const member = await createPerson(server, { email: "member@pages.test", password: "member-password-1", role: "member", teamIds: [team.id] });
  adminCookie = await signIn(server, admin);
  memberCookie = await signIn(server, member);
});
afterAll(async () => {
  await server?.stop();
});

describe("anonymous", () => {
  it.each(["/settings/routes", "/"])("%s redirects to the sign-in page", async (path) => {
    const { status, location } = await page(path);
    expect([303, 307]).toContain(status);
    expect(location).toContain("/sign-in");
  });

  it("the sign-in page itself is open", async () => {
    expect((await page("/sign-in")).status).toBe(200);
  });

  it.each(["%0a", "/%0a/evil.example", "/%09/evil.example/phish", "%2F%2Fevil.example", "/%E0%A4%A"])(
    "the sign-in page renders with next=%s (a bad target is dropped, not a 500)",
    async (next) => {
      expect((await page(`/sign-in?next=${next}`)).status).toBe(200);
    },
  );
});

describe("signed in, the sign-in page sends people on", () => {
  it.each([
    ["/%09/evil.example/phish", "/"],
    ["%0a", "/"],
    ["/%0d%0aSet-Cookie:%20x=1", "/"],
    ["//evil.example", "/"],
    ["/%5Cevil.example", "/"],
    ["https://evil.example/", "/"],
    ["/settings/teams%3Fx%3D1%23y", "/settings/teams?x=1#y"],
  ])("next=%s → %s", async (next, expected) => {
    const { status, location } = await page(`/sign-in?next=${next}`, adminCookie);
    expect([303, 307]).toContain(status);
    expect(new URL(location!, server.url).href).toBe(new URL(expected, server.url).href);
  });
});

describe("member", () => {
  it("is refused the settings with 403", async () => {
    expect((await page("/settings/routes", memberCookie)).status).toBe(403);
  });

  it("gets the chat page", async () => {
    expect((await page("/", memberCookie)).status).toBe(200);
  });
});

describe("admin", () => {
  it.each(["/settings/routes", "/"])("%s → 200", async (path) => {
    expect((await page(path, adminCookie)).status).toBe(200);
  });
});
