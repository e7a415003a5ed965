/** Browser-side calls to our JSON APIs: same-origin with the session cookie, errors turned into ApiError. */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The request field the server blamed, e.g. "candidateWeight" or "guardrails.minSamples". */
    readonly param: string | null = null,
    readonly code: string | null = null,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export interface ApiOptions {
  method?: "GET" | "POST" | "PATCH" | "DELETE";
  json?: unknown;
  signal?: AbortSignal;
}

interface ErrorBody {
  error?: { message?: unknown; param?: unknown; code?: unknown };
}

export async function api<T>(path: string, opts: ApiOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (opts.json !== undefined) headers["content-type"] = "application/json";

  let res: Response;
  try {
    res = await fetch(path, {
      method: opts.method ?? (opts.json !== undefined ? "POST" : "GET"),
      headers,
      body: opts.json !== undefined ? JSON.stringify(opts.json) : undefined,
      signal: opts.signal,
      credentials: "same-origin",
      cache: "no-store",
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === "AbortError") throw err;
    throw new ApiError(0, "Could not reach the server. Check your connection and try again.");
  }

  const text = await res.text();
  let body: unknown = null;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
  }
  if (!res.ok) {
    const e = (body as ErrorBody | null)?.error;
    const message =
      typeof e?.message === "string"
        ? e.message
        : res.status === 401
          ? "Your session has ended. Sign in again."
          : `The server answered ${res.status} ${res.statusText}.`;
    throw new ApiError(res.status, message, typeof e?.param === "string" ? e.param : null, typeof e?.code === "string" ? e.code : null);
  }
  return body as T;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
