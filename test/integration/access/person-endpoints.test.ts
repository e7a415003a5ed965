/**
 * The signed-in person's endpoints: nobody without a session, only one's own conversations, only
 * one's team's models and teams, and a team API key is not a session.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, type TestServer } from "../../helpers/server";
import { adminJson, call, createPerson, dbSnapshot, expectError, fillRoute, FOREIGN_ORIGIN, routeExports, signIn, startAccessServer, uiStreamEvents, userMessage } from "./helpers";

const SIM = { ttftMs: 0, tokensPerSecond: 100_000 };
const PERSON_APIS = ["me", "conversations", "chat"];

let server: TestServer;
let alpha: string;
let beta: string;
let teamKey: string;
let cookieA: string;
let cookieB: string;
let convB: string;

interface Row {
  route: string;
  method: string;
  body?: unknown;
}

/** One request per person endpoint; the conversation is B's, so only the session decides the answer. */
const rows = (): Row[] => [
  { route: "me", method: "GET" },
  { route: "me", method: "PATCH", body: { currentTeamId: alpha } },
  { route: "me/models", method: "GET" },
  { route: "me/usage", method: "GET" },
  { route: "me/usage/requests", method: "GET" },
  { route: "conversations", method: "GET" },
  { route: "conversations", method: "POST", body: { model: "acc-open" } },
  { route: "conversations/[id]", method: "GET" },
  { route: "conversations/[id]", method: "PATCH", body: { title: "Taken over" } },
  { route: "conversations/[id]", method: "DELETE" },
  { route: "chat", method: "POST", body: { id: convB, model: "acc-open", messages: [userMessage("hello")] } },
];

const pathOf = (row: Row) => fillRoute("/api", row.route, { id: convB });
const label = (row: Row) => `${row.method} /api/${row.route}`;

beforeAll(async () => {
  server = await startAccessServer();
  const provider = await adminJson(server, "/api/admin/providers", { method: "POST", json: { name: "acc-sim", kind: "simulator" } });
  for (const name of ["acc-open", "acc-limited"]) {
    await adminJson(server, "/api/admin/models", {
      method: "POST",
      json: { name, providerId: provider.id, upstreamModel: name, inputPricePerMTok: 1, outputPricePerMTok: 2, simulator: SIM },
    });
  }
  alpha = (await adminJson(server, "/api/admin/teams", { method: "POST", json: { name: "Alpha" } })).id;
  beta = (await adminJson(server, "/api/admin/teams", { method: "POST", json: { name: "Beta" } })).id;
  teamKey = (await adminJson(server, `/api/admin/teams/${alpha}/keys`, { method: "POST", json: { name: "ci" } })).key;
  const a = await createPerson(server, { email: "a@access.test", password: "password-of-a", role: "member", teamIds: [alpha] });
  const b = await createPerson(server, { email: "b@access.test", password: "password-of-b", role: "member", teamIds: [alpha, beta] });
  cookieA = await signIn(server, a);
  cookieB = await signIn(server, b);
  const conv = await call(server, "/api/conversations", { method: "POST", cookie: cookieB, json: { model: "acc-open", title: "B's plans" } });
  expect(conv.status).toBe(201);
  convB = (await conv.json()).id;
});
afterAll(async () => {
  await server?.stop();
});

describe("without a session", () => {
  it("the table covers every method of every person route file", () => {
    const inFiles = PERSON_APIS.flatMap((base) => routeExports(base).map((e) => `${e.method} ${[base, e.route].filter(Boolean).join("/")}`));
    expect(inFiles.length).toBeGreaterThan(0);
    const inTable = rows().map((r) => `${r.method} ${r.route}`);
    expect(new Set(inTable)).toEqual(new Set(inFiles));
  });

  // Labels are known before setup; the rows themselves are built inside, once B's conversation exists.
  it.each(rows().map(label))("%s → 401 for anonymous, a team API key, or the admin token", async (name) => {
    const row = rows().find((r) => label(r) === name)!;
    for (const auth of [{}, { bearer: teamKey }, { cookie: `switchyard.session_token=${teamKey}` }, { bearer: ADMIN_TOKEN }]) {
      const before = dbSnapshot(server);
      const error = await expectError(await call(server, pathOf(row), { method: row.method, json: row.body, ...auth }), 401);
      expect(error.type).toBe("invalid_request_error");
      expect(dbSnapshot(server)).toEqual(before);
    }
  });
});

describe("someone else's conversation", () => {
  it("is invisible to A: not listed, and 404 to read, rename, delete or chat into", async () => {
    const list = await (await call(server, "/api/conversations", { cookie: cookieA })).json();
    expect(list.data.map((c: { id: string }) => c.id)).not.toContain(convB);

    const before = dbSnapshot(server);
    const attempts = rows().filter((r) => r.route === "conversations/[id]" || r.route === "chat");
    for (const row of attempts) {
      const error = await expectError(await call(server, pathOf(row), { method: row.method, json: row.body, cookie: cookieA }), 404);
      expect(error.code, label(row)).toBe("not_found");
    }
    expect(dbSnapshot(server)).toEqual(before);

    const own = await (await call(server, `/api/conversations/${convB}`, { cookie: cookieB })).json();
    expect(own).toMatchObject({ id: convB, title: "B's plans", messages: [] });
  });

  it("a state change from another site is refused even with B's own session", async () => {
    const error = await expectError(
      await call(server, `/api/conversations/${convB}`, { method: "DELETE", cookie: cookieB, origin: FOREIGN_ORIGIN }),
      403,
    );
    expect(error.code).toBe("csrf");
    expect((await call(server, `/api/conversations/${convB}`, { cookie: cookieB })).status).toBe(200);
  });
});

describe("message ids", () => {
  it("chosen by one person do not stop another's conversation from being saved", async () => {
    const shared = "msg-chosen-by-the-client";
    const chatAs = async (cookie: string) => {
      const conv = await (await call(server, "/api/conversations", { method: "POST", cookie, json: { model: "acc-open" } })).json();
      const res = await call(server, "/api/chat", { method: "POST", cookie, json: { id: conv.id, messages: [userMessage("hello", shared)] } });
      expect(res.status).toBe(200);
      const events = await uiStreamEvents(res).catch(async (err: Error) => {
        // The server logs the cause just after cutting the reply.
        const logged = server.output().length;
        for (let waited = 0; waited < 3000 && server.output().length === logged; waited += 50) await new Promise((r) => setTimeout(r, 50));
        throw new Error(`the reply was cut off (${err.message}); server output ends with:\n${server.output().slice(-600)}`);
      });
      expect(events.some((e) => e.type === "text-delta")).toBe(true);
      return conv.id as string;
    };
    const first = await chatAs(cookieA);
    const second = await chatAs(cookieB);
    for (const [cookie, id] of [[cookieA, first], [cookieB, second]] as const) {
      const saved = await (await call(server, `/api/conversations/${id}`, { cookie })).json();
      expect(saved.messages.map((m: { role: string }) => m.role)).toEqual(["user", "assistant"]);
    }
  });
});

describe("models a team may use", () => {
  const ids = async (cookie: string) => ((await (await call(server, "/api/me/models", { cookie })).json()).data as Array<{ id: string }>).map((m) => m.id).sort();

  async function chat(model: string) {
    const conv = await (await call(server, "/api/conversations", { method: "POST", cookie: cookieA, json: { model: "acc-open" } })).json();
    const res = await call(server, "/api/chat", { method: "POST", cookie: cookieA, json: { id: conv.id, model, messages: [userMessage("hello")] } });
    return { status: res.status, events: await uiStreamEvents(res) };
  }

  it("lists only the team's allowedModels once set, and a chat with any other model fails", async () => {
    expect(await ids(cookieA)).toEqual(["acc-limited", "acc-open"]);
    const before = await chat("acc-limited");
    expect(before.events.some((e) => e.type === "text-delta")).toBe(true);

    await adminJson(server, `/api/admin/teams/${alpha}`, { method: "PATCH", json: { allowedModels: ["acc-open"] } });
    expect(await ids(cookieA)).toEqual(["acc-open"]);

    const denied = await chat("acc-limited");
    expect(denied.events.some((e) => e.type === "text-delta")).toBe(false);
    const error = denied.events.find((e) => e.type === "error");
    expect(error, JSON.stringify(denied.events)).toBeDefined();
    expect(JSON.parse(error!.errorText)).toMatchObject({ code: "model_not_found", status: 404 });

    const allowed = await chat("acc-open");
    expect(allowed.status).toBe(200);
    expect(allowed.events.some((e) => e.type === "text-delta")).toBe(true);

    // B is in Alpha too, but chats as Beta once switched there: Alpha's list no longer applies.
    const switched = await call(server, "/api/me", { method: "PATCH", cookie: cookieB, json: { currentTeamId: beta } });
    expect(switched.status).toBe(200);
    expect(await ids(cookieB)).toEqual(["acc-limited", "acc-open"]);
  });
});

describe("switching teams", () => {
  it("to a team one is not in → 403, and the current team stays", async () => {
    const me = await (await call(server, "/api/me", { cookie: cookieA })).json();
    expect(me.currentTeamId).toBe(alpha);
    expect(me.teams.map((t: { id: string }) => t.id)).toEqual([alpha]);

    for (const currentTeamId of [beta, "team_does_not_exist"]) {
      const error = await expectError(await call(server, "/api/me", { method: "PATCH", cookie: cookieA, json: { currentTeamId } }), 403);
      expect(error.type).toBe("permission_error");
    }
    expect((await (await call(server, "/api/me", { cookie: cookieA })).json()).currentTeamId).toBe(alpha);
  });
});
