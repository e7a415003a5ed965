/**
 * The notification API through the built server: budget alerts, breaker openings and rollbacks
 * from the event log, newest first, each admin's own read marker, and who may call it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, startServer, type TestServer } from "../../helpers/server";
import { call, createPerson, expectError, signIn } from "../access/helpers";
import { must } from "./helpers";

let server: TestServer;
let adminA: string;
let adminB: string;
let member: string;

async function rollBack(name: string): Promise<string> {
  const route = await must(await server.admin("/api/admin/routes", { method: "POST", json: { name, control: "note-a", candidate: "note-b", candidateWeight: 10 } }));
  await must(await server.admin(`/api/admin/routes/${route.id}/rollback`, { method: "POST", json: {} }));
  return route.id as string;
}

beforeAll(async () => {
  server = await startServer();
  const provider = await must(await server.admin("/api/admin/providers", { method: "POST", json: { name: "note-sim", kind: "simulator" } }));
  for (const name of ["note-a", "note-b"]) {
    await must(await server.admin("/api/admin/models", { method: "POST", json: { name, providerId: provider.id, upstreamModel: name, inputPricePerMTok: 1, outputPricePerMTok: 1 } }));
  }
  const people = [
    ["a@note.test", "admin"],
    ["b@note.test", "admin"],
    ["m@note.test", "member"],
  ] as const;
  const cookies: string[] = [];
  for (const [email, role] of people) {
    const p = await createPerson(server, { email, password: "password-of-someone", role });
    cookies.push(await signIn(server, p));
  }
  [adminA, adminB, member] = cookies as [string, string, string];
  await rollBack("note-one");
  await rollBack("note-two");
});

afterAll(async () => {
  await server?.stop();
});

describe("notifications", () => {
  it("lists rollbacks newest first, all unread at first, with links to act on them", async () => {
    const list = await must(await call(server, "/api/notifications", { cookie: adminA }));
    expect(list.unread).toBe(2);
    expect(list.data.map((n: { title: string }) => n.title)).toEqual(["Route note-two rolled back", "Route note-one rolled back"]);
    expect(list.data.every((n: { unread: boolean; type: string; href: string }) => n.unread && n.type === "route.rolled_back" && n.href.startsWith("/settings/routes/"))).toBe(true);
    // Other events (the routes being created) are not notifications.
    expect(list.nextBefore).toBeNull();
  });

  it("keeps a read marker per admin, which only moves forward", async () => {
    const list = await must(await call(server, "/api/notifications", { cookie: adminA }));
    const [newest, older] = list.data as Array<{ id: number }>;
    expect(await must(await call(server, "/api/notifications/read", { method: "POST", cookie: adminA, json: { upTo: older!.id } }))).toEqual({ lastReadId: older!.id, unread: 1 });
    expect(await must(await call(server, "/api/notifications/read", { method: "POST", cookie: adminA, json: {} }))).toEqual({ lastReadId: newest!.id, unread: 0 });
    // Marking an older one again does not make the newer unread.
    expect((await must(await call(server, "/api/notifications/read", { method: "POST", cookie: adminA, json: { upTo: older!.id } }))).unread).toBe(0);
    // The other admin's marker is untouched.
    expect((await must(await call(server, "/api/notifications", { cookie: adminB }))).unread).toBe(2);

    await rollBack("note-three");
    const after = await must(await call(server, "/api/notifications", { cookie: adminA }));
    expect(after.unread).toBe(1);
    expect(after.data.map((n: { unread: boolean }) => n.unread)).toEqual([true, false, false]);
  });

  it("pages with before", async () => {
    const first = await must(await call(server, "/api/notifications?limit=2", { cookie: adminB }));
    expect(first.data).toHaveLength(2);
    const rest = await must(await call(server, `/api/notifications?limit=2&before=${first.nextBefore}`, { cookie: adminB }));
    expect(rest.data.map((n: { title: string }) => n.title)).toEqual(["Route note-one rolled back"]);
  });

  it("is for admins' sessions: 403 for a member, 401 for the admin token or nobody", async () => {
    await expectError(await call(server, "/api/notifications", { cookie: member }), 403);
    await expectError(await call(server, "/api/notifications/read", { method: "POST", cookie: member, json: {} }), 403);
    await expectError(await call(server, "/api/notifications", { bearer: ADMIN_TOKEN }), 401);
    await expectError(await call(server, "/api/notifications"), 401);
  });

  it.each([
    ["/api/notifications?limit=0", "GET", undefined, "limit"],
    ["/api/notifications?colour=red", "GET", undefined, "colour"],
    ["/api/notifications/read", "POST", { upTo: -1 }, "upTo"],
    ["/api/notifications/read", "POST", { upTo: "all" }, "upTo"],
  ])("%s %s → 400 naming %s", async (path, method, json, param) => {
    const error = await expectError(await call(server, path, { method, json, cookie: adminA }), 400);
    expect(error.param).toBe(param);
  });
});
