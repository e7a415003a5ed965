/**
 * Everything under /api/auth passes through here to the auth library. Email sign-in is limited per
 * account in front of it (the library itself limits per client address); every 429 leaves with
 * Retry-After and a message the sign-in form can show as it is.
 */
import { readJsonBody } from "../gateway/body";
import { GatewayError } from "../gateway/errors";
import { stampedClient } from "./client-address";
import type { Runtime } from "./runtime";

// An email and a password, with room to spare.
const SIGN_IN_MAX_BODY_BYTES = 16 * 1024;

/** The library forgives doubled and trailing slashes; so does this check, or they would walk around it. */
function isEmailSignIn(req: Request): boolean {
  if (req.method !== "POST") return false;
  const path = new URL(req.url).pathname.replace(/\/+/g, "/").replace(/\/$/, "").toLowerCase();
  return path.endsWith("/sign-in/email");
}

function tooManyAttempts(seconds: number, what = "sign-in attempts"): Response {
  return Response.json(
    { code: "TOO_MANY_ATTEMPTS", message: `Too many ${what}, try again in ${seconds} s.`, retryAfter: seconds },
    { status: 429, headers: { "retry-after": String(seconds), "x-retry-after": String(seconds), "cache-control": "no-store" } },
  );
}

/** The account an attempt is for: the email as the library will look it up, whether or not it exists. */
async function accountOf(req: Request): Promise<string | null> {
  const body = await readJsonBody(req.clone(), SIGN_IN_MAX_BODY_BYTES).catch((err: unknown) => {
    // Too large is ours to refuse; anything else malformed the library answers in its own words.
    if (err instanceof GatewayError && err.status === 413) throw err;
    return null;
  });
  const email = (body as { email?: unknown } | null)?.email;
  return typeof email === "string" && email.trim() ? email.trim().toLowerCase() : null;
}

/**
 * The library decides Secure once at start. Without a public URL a cookie follows the scheme the
 * request came in on, which only a trusted proxy can tell (this server itself speaks plain http).
 */
function followScheme(runtime: Runtime, req: Request, res: Response): Response {
  const cookies = res.headers.getSetCookie();
  if (runtime.env.SWITCHYARD_PUBLIC_URL || cookies.length === 0) return res;
  if (!stampedClient(req.headers, runtime.clientStamped)?.https) return res;
  const out = new Response(res.body, res);
  out.headers.delete("set-cookie");
  for (const c of cookies) out.headers.append("set-cookie", /;\s*secure\b/i.test(c) ? c : `${c}; Secure`);
  return out;
}

/** The library's own 429 (per address) in the same words and headers as the per-account one. */
function withRetryAfter(res: Response, what: string): Response {
  if (res.status !== 429) return res;
  return tooManyAttempts(Math.max(1, Number(res.headers.get("x-retry-after")) || 1), what);
}

/** Errors thrown here (a sign-in body over its limit) become answers in the route wrapper (handler.ts). */
export async function handleAuthRequest(runtime: Runtime, req: Request): Promise<Response> {
  if (!isEmailSignIn(req)) return followScheme(runtime, req, withRetryAfter(await (await runtime.auth()).handler(req), "requests"));
  const account = await accountOf(req);
  const slot = account === null ? null : runtime.signInLimiter.take(account);
  if (slot && !slot.ok) return tooManyAttempts(slot.retryAfterSeconds);
  let res: Response | undefined;
  try {
    res = await (await runtime.auth()).handler(req);
    return followScheme(runtime, req, withRetryAfter(res, "sign-in attempts"));
  } finally {
    // Only a wrong password (401) keeps its slot: a success, a refused origin or a malformed body is not a guess.
    if (slot?.ok && res?.status !== 401) slot.release();
  }
}
