import { describe, expect, it } from "vitest";
import { readEvents, webByteSource, type ByteSink, type ByteSource } from "@/lib/gateway/sse";

const bytes = (text: string) => new TextEncoder().encode(text);

/** A source driven by hand, recording what the reader asked of it. */
function manualSource() {
  let sink: ByteSink | null = null;
  const calls: string[] = [];
  const source: ByteSource = {
    start: (s) => void (sink = s),
    pause: () => void calls.push("pause"),
    resume: () => void calls.push("resume"),
    close: () => void calls.push("close"),
  };
  return { source, calls, sink: () => sink! };
}

describe("upstream event reader", () => {
  it("parses events split across chunks and ends with null", async () => {
    const { source, sink } = manualSource();
    const reader = readEvents(source, new AbortController().signal);
    sink().chunk(bytes('data: {"a":'));
    sink().chunk(bytes("1}\n\ndata: [DO"));
    sink().chunk(bytes("NE]\n\n"));
    sink().end();
    expect((await reader.next())?.data).toBe('{"a":1}');
    expect((await reader.next())?.data).toBe("[DONE]");
    expect(await reader.next()).toBeNull();
  });

  it("drops an event cut off by the end of the stream", async () => {
    const { source, sink } = manualSource();
    const reader = readEvents(source, new AbortController().signal);
    sink().chunk(bytes('data: {"whole":true}\n\ndata: {"half'));
    sink().end();
    expect((await reader.next())?.data).toBe('{"whole":true}');
    expect(await reader.next()).toBeNull();
  });

  it("pauses the source while events wait unread, and resumes it as they are read", async () => {
    const { source, calls, sink } = manualSource();
    const reader = readEvents(source, new AbortController().signal);
    for (let i = 0; i < 20; i++) sink().chunk(bytes(`data: ${i}\n\n`));
    expect(calls).toEqual(["pause"]);
    for (let i = 0; i < 12; i++) expect((await reader.next())?.data).toBe(String(i));
    expect(calls).toEqual(["pause"]);
    // Below half the high-water mark again: the source may send more.
    expect((await reader.next())?.data).toBe("12");
    expect(calls).toEqual(["pause", "resume"]);
    // Already-arrived events are there without waiting; none arrived means undefined, not a wait.
    expect(reader.take()?.data).toBe("13");
    for (let i = 14; i < 20; i++) reader.take();
    expect(reader.take()).toBeUndefined();
  });

  it("rejects a waiting read with the signal's reason and closes the source on abort", async () => {
    const { source, calls } = manualSource();
    const aborter = new AbortController();
    const reader = readEvents(source, aborter.signal);
    const pending = reader.next();
    const reason = new Error("deadline");
    aborter.abort(reason);
    await expect(pending).rejects.toBe(reason);
    await expect(reader.next()).rejects.toBe(reason);
    expect(calls).toEqual(["close"]);
  });

  it("fails when the source fails after the events before it were read", async () => {
    const { source, sink } = manualSource();
    const reader = readEvents(source, new AbortController().signal);
    sink().chunk(bytes("data: first\n\n"));
    const cut = new Error("connection reset");
    sink().fail(cut);
    expect((await reader.next())?.data).toBe("first");
    await expect(reader.next()).rejects.toBe(cut);
  });

  it("refuses an upstream line longer than the limit instead of buffering it", async () => {
    const { source, calls, sink } = manualSource();
    const reader = readEvents(source, new AbortController().signal);
    const mib = "x".repeat(1024 * 1024);
    sink().chunk(bytes("data: "));
    for (let i = 0; i < 9; i++) sink().chunk(bytes(mib));
    await expect(reader.next()).rejects.toMatchObject({ type: "max-buffer-size-exceeded" });
    expect(calls).toContain("close");
  });

  it("reads a web stream through the same reader", async () => {
    const body = new Response("data: one\n\ndata: two\n\n").body!;
    const reader = readEvents(webByteSource(body), new AbortController().signal);
    expect((await reader.next())?.data).toBe("one");
    expect((await reader.next())?.data).toBe("two");
    expect(await reader.next()).toBeNull();
  });

  it("after a complete stream lets the rest of the body through unparsed instead of cutting it", async () => {
    const { source, calls, sink } = manualSource();
    const reader = readEvents(source, new AbortController().signal);
    sink().chunk(bytes("data: [DONE]\n\n"));
    expect((await reader.next())?.data).toBe("[DONE]");
    reader.release();
    sink().chunk(bytes("data: late\n\n"));
    sink().end();
    expect(calls).toEqual([]);
    await expect(reader.next()).rejects.toThrow("released");
  });

  it("cuts a released body that keeps sending", () => {
    const { source, calls, sink } = manualSource();
    const reader = readEvents(source, new AbortController().signal);
    reader.release();
    sink().chunk(new Uint8Array(70 * 1024));
    expect(calls).toEqual(["close"]);
  });
});
