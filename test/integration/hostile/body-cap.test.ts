/**
 * One byte cap on every request body, before anything parses it: a declared length over the cap
 * is refused at once, a chunked body the moment it passes the cap, and a chat message too large to
 * store is refused before anything is stored.
 */
import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, type TestServer } from "../../helpers/server";
import { adminJson, call, createPerson, signIn, startAccessServer, userMessage } from "../access/helpers";
import { expectAlive } from "./helpers";

const CAP = 1024 * 1024; // the default SWITCHYARD_MAX_BODY_BYTES
const MESSAGE_CAP = 256 * 1024; // the default SWITCHYARD_MAX_MESSAGE_BYTES

let server: TestServer;
let cookie: string;
let conversationId: string;

/** A raw connection, so the test decides exactly how much of a body is ever sent. */
interface Raw {
  socket: Socket;
  write: (data: string | Buffer) => Promise<void>;
  /** Resolves with everything the server sent once it has sent a complete head and body, or closed. */
  answer: Promise<string>;
}

function open(): Promise<Raw> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) }, () => {
      let text = "";
      const answer = new Promise<string>((done) => {
        const finish = () => done(text);
        socket.on("data", (d) => {
          text += d.toString("latin1");
          const head = text.indexOf("\r\n\r\n");
          const length = /content-length: (\d+)/i.exec(text.slice(0, head))?.[1];
          if (head >= 0 && length !== undefined && text.length >= head + 4 + Number(length)) finish();
        });
        socket.on("close", finish);
        // The server may close while the test is still writing: that is the point, not a failure.
        socket.on("error", () => {});
      });
      resolve({
        socket,
        answer,
        write: (data) => new Promise((ok) => (socket.destroyed ? ok() : socket.write(data, () => ok()))),
      });
    });
    socket.once("error", reject);
  });
}

/** Joins a chunked answer's pieces. */
function unchunk(body: string): string {
  let out = "";
  for (let at = 0; ; ) {
    const eol = body.indexOf("\r\n", at);
    const size = parseInt(body.slice(at, eol), 16);
    if (!size) return out;
    out += body.slice(eol + 2, eol + 2 + size);
    at = eol + 2 + size + 2;
  }
}

function parse(raw: string): { status: number; headers: string; body: any } {
  const head = raw.indexOf("\r\n\r\n");
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1]);
  const headers = raw.slice(0, head).toLowerCase();
  const body = raw.slice(head + 4);
  return { status, headers, body: JSON.parse(headers.includes("transfer-encoding: chunked") ? unchunk(body) : body) };
}

function expectTooLarge(raw: string): void {
  const answer = parse(raw);
  expect(answer.status, raw.slice(0, 300)).toBe(413);
  expect(answer.headers).toContain("connection: close");
  expect(answer.body).toEqual({ error: { message: expect.stringContaining(`${CAP} bytes`), type: "invalid_request_error", code: "request_too_large", param: null } });
}

// connection: close, so an answer without a length still ends: the server closes after it.
const head = (path: string, lines: string[]) =>
  [`POST ${path} HTTP/1.1`, `host: ${new URL(server.url).host}`, `origin: ${server.url}`, "content-type: application/json", "connection: close", ...lines, "", ""].join("\r\n");

async function messageRows(): Promise<number> {
  return (server.db().prepare("select count(*) as n from messages").get() as { n: number }).n;
}

beforeAll(async () => {
  server = await startAccessServer();
  const provider = await adminJson(server, "/api/admin/providers", { method: "POST", json: { name: "cap-sim", kind: "simulator" } });
  await adminJson(server, "/api/admin/models", {
    method: "POST",
    json: { name: "cap-model", providerId: provider.id, upstreamModel: "cap-model", inputPricePerMTok: 1, outputPricePerMTok: 2, simulator: { ttftMs: 0, tokensPerSecond: 100_000 } },
  });
  const team = await adminJson(server, "/api/admin/teams", { method: "POST", json: { name: "Cap team" } });
  const person = await createPerson(server, { email: "cap@body.test", password: "cap-password-1", role: "member", teamIds: [team.id] });
  cookie = await signIn(server, person);
  const conv = await call(server, "/api/conversations", { method: "POST", cookie, json: { model: "cap-model" } });
  expect(conv.status).toBe(201);
  conversationId = (await conv.json()).id;
});
afterAll(async () => {
  await server?.stop();
});

describe("the server-wide body cap", () => {
  it("refuses a declared 20 MB sign-in body with 413 after only 64 KiB of it was sent", async () => {
    const raw = await open();
    await raw.write(head("/api/auth/sign-in/email", [`content-length: ${20 * 1024 * 1024}`]));
    await raw.write(Buffer.alloc(64 * 1024, 0x20));
    // The rest is never sent: a server that waited for the body before answering would never answer.
    expectTooLarge(await raw.answer);
    raw.socket.destroy();
    await expectAlive(server);
  });

  it("refuses a chunked body without a length as soon as it passes the cap, before it ends", async () => {
    const raw = await open();
    await raw.write(head("/api/auth/sign-in/email", ["transfer-encoding: chunked"]));
    const piece = Buffer.alloc(64 * 1024, 0x20);
    // One piece past the cap, and never the terminating zero-length chunk.
    for (let sent = 0; sent <= CAP; sent += piece.length) {
      await raw.write(`${piece.length.toString(16)}\r\n`);
      await raw.write(piece);
      await raw.write("\r\n");
    }
    expectTooLarge(await raw.answer);
    raw.socket.destroy();
    await expectAlive(server);
  });

  it("lets a chunked body under the cap through whole", async () => {
    const json = JSON.stringify({ name: `chunked-${"x".repeat(100)}` });
    const raw = await open();
    await raw.write(head("/api/admin/teams", ["transfer-encoding: chunked", `authorization: Bearer ${ADMIN_TOKEN}`]));
    // Sent in three pieces, so the server has to put them back together in order.
    for (const part of [json.slice(0, 5), json.slice(5, 50), json.slice(50)]) await raw.write(`${Buffer.byteLength(part).toString(16)}\r\n${part}\r\n`);
    await raw.write("0\r\n\r\n");
    const answer = parse(await raw.answer);
    raw.socket.destroy();
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ name: `chunked-${"x".repeat(100)}` });
  });
});

describe("chat messages", () => {
  const chat = (text: string) =>
    call(server, "/api/chat", { method: "POST", cookie, json: { id: conversationId, model: "cap-model", messages: [userMessage(text)] } });

  it("a 5 MB message is refused with 413 and nothing is stored", async () => {
    // Through fetch, as the chat page sends it: the server reads and drops the rest after its
    // answer instead of cutting the connection mid-upload, so the client sees the 413.
    const res = await chat("x".repeat(5 * 1024 * 1024));
    expect(res.status).toBe(413);
    expect(res.headers.get("connection")).toBe("close");
    expect((await res.json()).error).toMatchObject({ type: "invalid_request_error", code: "request_too_large" });
    expect(await messageRows()).toBe(0);
    await expectAlive(server);
  });

  it("a message under the body cap but over the stored-message cap is refused with 413 before anything is stored", async () => {
    const res = await chat("y".repeat(MESSAGE_CAP + 1));
    expect(res.status).toBe(413);
    expect((await res.json()).error).toMatchObject({ type: "invalid_request_error", code: "message_too_large", param: "messages[0]" });
    expect(await messageRows()).toBe(0);
    // The refusal happened before the gateway was called, so no request was recorded either.
    expect(server.db().prepare("select count(*) as n from usage").get()).toEqual({ n: 0 });
  });

  it("a message that fits is answered and stored", async () => {
    const res = await chat("z".repeat(1000));
    expect(res.status).toBe(200);
    await res.text();
    const until = Date.now() + 5000;
    while ((await messageRows()) < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
    expect(await messageRows()).toBe(2);
  });

  it("conversation bodies have their own small cap", async () => {
    const res = await call(server, `/api/conversations/${conversationId}`, { method: "PATCH", cookie, json: { title: "t".repeat(100 * 1024) } });
    expect(res.status).toBe(413);
  });
});
