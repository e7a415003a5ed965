/**
 * Failures after the first byte: a stream the upstream cuts, one the client abandons, and one that
 * turns into garbage. None ends with a clean [DONE], and each leaves exactly one usage row.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countText } from "@/lib/gateway/tokens";
import { startServer, type TestServer } from "../../helpers/server";
import { chunk, openSse, provision, sleep, startUpstream, type TestUpstream } from "../../helpers/upstream";
import { chat, parseSse, teamUsage, waitFor } from "./helpers";

let server: TestServer;
let upstream: TestUpstream;
let setup: Awaited<ReturnType<typeof provision>>;
let rows = 0;
// The property is that the upstream call is aborted, not how fast one process hears of another's
// hang-up on a loaded machine; a gateway that kept reading would hold the call far longer.
const ABORT_WITHIN_MS = 2000;

async function nextRow(): Promise<Record<string, any>> {
  rows++;
  const all = await teamUsage(server, setup.team.id, rows);
  expect(all).toHaveLength(rows);
  return all.at(-1)!;
}

beforeAll(async () => {
  upstream = await startUpstream(() => {});
  server = await startServer();
  setup = await provision(server.admin, { baseUrl: upstream.baseUrl, providerSettings: { maxAttempts: 1 } });
});

afterAll(async () => {
  await server?.stop();
  await upstream?.close();
});

describe("mid-stream failures", () => {
  it("ends with an error event, not [DONE], when the upstream cuts the connection", async () => {
    const words = ["The", " quick", " brown", " fox"];
    upstream.handle(async (_req, res) => {
      const send = openSse(res);
      send(chunk("up-model", { role: "assistant", content: "" }));
      for (const w of words) {
        send(chunk("up-model", { content: w }));
        await sleep(20);
      }
      res.destroy();
    });
    const res = await chat(server, setup.key, setup.model.name, { stream: true });
    expect(res.status).toBe(200);
    const events = parseSse(await res.text());

    const content = events.slice(0, -1).map((e) => JSON.parse(e).choices[0].delta.content).join("");
    expect(content).toBe(words.join(""));
    const last = JSON.parse(events.at(-1)!);
    expect(last.error).toMatchObject({ type: "upstream_error", code: "stream_cut" });
    expect(typeof last.error.message).toBe("string");
    expect(events).not.toContain("[DONE]");

    const row = await nextRow();
    expect(row).toMatchObject({ status: "error", http_status: 502, error_type: "stream_cut", stream: 1 });
    // No usage chunk came, so what did stream is counted with the tokenizer.
    expect(row.completion_tokens).toBe(countText(words.join("")));
    expect(row.completion_tokens).toBe(4);
    expect(row.cost_micros).toBe(Math.round(row.prompt_tokens * 2.5 + row.completion_tokens * 10));
  });

  it("aborts the upstream when the client goes away mid-stream, and records 'aborted'", async () => {
    upstream.handle(async (req, res) => {
      const send = openSse(res);
      while (req.closedAt === null) {
        send(chunk("up-model", { content: "more " }));
        await sleep(50);
      }
    });
    const ac = new AbortController();
    const res = await chat(server, setup.key, setup.model.name, { stream: true }, { signal: ac.signal });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    while (parseSse(text).length < 2) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    const abortedAt = Date.now();
    ac.abort();
    await reader.read().catch(() => {});

    const r = upstream.received.at(-1)!;
    await waitFor(() => r.closedAt !== null, ABORT_WITHIN_MS + 3000, "the upstream connection to close");
    expect(r.closedAt! - abortedAt).toBeLessThan(ABORT_WITHIN_MS);

    const row = await nextRow();
    expect(row).toMatchObject({ status: "aborted", http_status: 499, stream: 1 });
    expect(row.completion_tokens).toBeGreaterThanOrEqual(2);
  });

  it("aborts the upstream when the client goes away before the first byte", async () => {
    upstream.handle(() => {}); // never answers
    const ac = new AbortController();
    const pending = chat(server, setup.key, setup.model.name, {}, { signal: ac.signal }).catch((err: Error) => err);
    const before = upstream.received.length;
    await waitFor(() => upstream.received.length > before, 2000, "the request to reach the upstream");
    const abortedAt = Date.now();
    ac.abort();
    expect(await pending).toBeInstanceOf(Error);

    const r = upstream.received.at(-1)!;
    await waitFor(() => r.closedAt !== null, ABORT_WITHIN_MS + 3000, "the upstream connection to close");
    expect(r.closedAt! - abortedAt).toBeLessThan(ABORT_WITHIN_MS);
    // The call did reach the upstream, and the row says so.
    expect(await nextRow()).toMatchObject({ status: "aborted", http_status: 499, stream: 0, cost_micros: 0, attempts: 1, served_model: setup.model.name });
  });

  it("ends with an error event when the upstream sends invalid JSON mid-stream", async () => {
    upstream.handle(async (req, res) => {
      const send = openSse(res);
      send(chunk("up-model", { role: "assistant", content: "Fine so far" }));
      await sleep(20);
      send('{"id":"chatcmpl-test","choices":[{"delta":{"content":"oops"');
      // The upstream would go on; the gateway must stop reading and hang up.
      while (req.closedAt === null) {
        send(chunk("up-model", { content: " ignored" }));
        await sleep(50);
      }
    });
    const res = await chat(server, setup.key, setup.model.name, { stream: true });
    const events = parseSse(await res.text());
    expect(events).toHaveLength(2);
    expect(JSON.parse(events[0]!).choices[0].delta.content).toBe("Fine so far");
    expect(JSON.parse(events[1]!).error).toMatchObject({ type: "upstream_error", code: "unparseable_output" });
    expect(events).not.toContain("[DONE]");

    const r = upstream.received.at(-1)!;
    await waitFor(() => r.closedAt !== null, 2000, "the upstream connection to close");

    const row = await nextRow();
    expect(row).toMatchObject({ status: "error", http_status: 502, error_type: "unparseable_output" });
    expect(row.completion_tokens).toBe(countText("Fine so far"));
  });

  it("passes an upstream error event through and ends there", async () => {
    upstream.handle(async (_req, res) => {
      const send = openSse(res);
      send(chunk("up-model", { role: "assistant", content: "Partial" }));
      await sleep(20);
      send({ error: { message: "The model crashed.", type: "server_error", code: null, param: null } });
      res.end();
    });
    const res = await chat(server, setup.key, setup.model.name, { stream: true });
    const events = parseSse(await res.text());
    expect(events).toHaveLength(2);
    expect(JSON.parse(events[1]!).error.message).toBe("The model crashed.");
    expect(events).not.toContain("[DONE]");
    expect(await nextRow()).toMatchObject({ status: "error", http_status: 502 });
  });
});
