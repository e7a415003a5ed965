// Shared by the simulator tests: request builders and an SSE reader.
import { createParser } from "eventsource-parser";

export const FAST = { ttftMs: 0, tokensPerSecond: 1_000_000 } as const;

export function chatRequest(body: Record<string, unknown>, init: RequestInit = {}, origin = "http://sim.test"): Request {
  return new Request(`${origin}/v1/chat/completions`, { method: "POST", body: JSON.stringify(body), ...init });
}

export const userTurn = (content: string) => [{ role: "user", content }];

export interface StreamRead {
  /** The `data` of every event, in order, including the final "[DONE]". */
  data: string[];
  /** How many reads delivered bytes. */
  reads: number;
  error?: unknown;
}

/** Reads a streaming body to its end (or its error), parsing server-sent events as they come. */
export async function readEvents(body: ReadableStream<Uint8Array> | null): Promise<StreamRead> {
  const result: StreamRead = { data: [], reads: 0 };
  const parser = createParser({ onEvent: (event) => result.data.push(event.data) });
  const decoder = new TextDecoder();
  const reader = body!.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      result.reads += 1;
      parser.feed(decoder.decode(value, { stream: true }));
    }
  } catch (err) {
    result.error = err;
  }
  return result;
}

/** The JSON chunks of a stream, without the terminator. */
export function chunksOf(read: StreamRead): any[] {
  return read.data.filter((d) => d !== "[DONE]").map((d) => JSON.parse(d));
}

export function contentOf(chunks: any[]): string {
  return chunks.map((c) => c.choices[0]?.delta?.content ?? "").join("");
}
