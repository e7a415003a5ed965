/** Shared by the hostile-input suites: raw requests, the OpenAI error-shape check and generators. */
import fc from "fast-check";
import { expect } from "vitest";
import { ADMIN_TOKEN, type TestServer } from "../../helpers/server";

export interface Answer {
  status: number;
  text: string;
  headers: Headers;
}

/**
 * Sends `body` as is. `auth` is the bearer token (null: no header); `contentType` undefined means
 * application/json, null means no content-type header at all.
 */
export async function post(
  server: TestServer,
  path: string,
  body: BodyInit | null,
  opts: { auth?: string | null; contentType?: string | null; method?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...opts.headers };
  const auth = opts.auth === undefined ? ADMIN_TOKEN : opts.auth;
  if (auth !== null) headers.authorization = `Bearer ${auth}`;
  if (opts.contentType === undefined) headers["content-type"] = "application/json";
  else if (opts.contentType !== null) headers["content-type"] = opts.contentType;
  // A string body would make fetch add text/plain; bytes go out with only the headers given.
  const payload = typeof body === "string" && opts.contentType === null ? Buffer.from(body) : body;
  const res = await fetch(server.url + path, {
    method: opts.method ?? "POST",
    headers,
    body: payload,
    signal: AbortSignal.timeout(20_000),
    ...(payload instanceof ReadableStream ? { duplex: "half" } : {}),
  } as RequestInit);
  return { status: res.status, text: await res.text(), headers: res.headers };
}

/** Asserts OpenAI's error shape and returns the error object. */
export function expectOpenAiError(r: Answer): { message: string; type: string; code: string | null; param: string | null } {
  let body: { error?: { message?: unknown; type?: unknown; code?: string | null; param?: string | null } };
  try {
    body = JSON.parse(r.text);
  } catch {
    throw new Error(`HTTP ${r.status} body is not JSON: ${r.text.slice(0, 300)}`);
  }
  expect(typeof body.error?.message, r.text.slice(0, 300)).toBe("string");
  expect(typeof body.error?.type, r.text.slice(0, 300)).toBe("string");
  return body.error as { message: string; type: string; code: string | null; param: string | null };
}

export async function expectAlive(server: TestServer): Promise<void> {
  expect(server.proc.exitCode).toBeNull();
  const res = await fetch(`${server.url}/api/health`, { signal: AbortSignal.timeout(5000) });
  expect(res.status).toBe(200);
}

type JsonKind = "string" | "number" | "boolean" | "array" | "object";

/** JSON values of every kind except `kind` (null included: callers drop it where it is valid). */
export function wrongType(kind: JsonKind): fc.Arbitrary<unknown> {
  const leaf = fc.jsonValue({ maxDepth: 1 });
  const all: Record<JsonKind, fc.Arbitrary<unknown>> = {
    string: fc.string({ maxLength: 12 }),
    number: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })),
    boolean: fc.boolean(),
    array: fc.array(leaf, { maxLength: 3 }),
    object: fc.dictionary(fc.string({ maxLength: 6 }), leaf, { maxKeys: 3 }),
  };
  return fc.oneof(fc.constant(null), ...Object.entries(all).filter(([k]) => k !== kind).map(([, arb]) => arb));
}

/** Strings built from the characters that break naive handling: lone surrogates, NUL, RTL, BOM, line separators. */
export const oddString = fc
  .array(
    fc.oneof(
      fc.constantFrom("\u0000", "\uD800", "\uDFFF", "\uDBFF\uDBFF", "\u202E", "\u200F", "\u200B", "\uFEFF", "\u0301", "\uFFFF", "\uFFFE", "\u{1F4A9}", "\u2028", "\u2029", "\\", '"', "\n", "\r", "\t", "é", "中", "\u0007", "%00", "${x}", "<script>"),
      fc.string({ maxLength: 5, unit: "binary" }),
    ),
    { maxLength: 30 },
  )
  .map((parts) => parts.join(""));
