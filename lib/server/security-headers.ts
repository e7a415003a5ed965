/**
 * Headers every response carries. Next's pages use inline bootstrap scripts, so scripts allow
 * 'unsafe-inline' (and 'unsafe-eval' in development only); everything else is same-origin.
 */
import type { ServerResponse } from "node:http";

export function contentSecurityPolicy(dev: boolean): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'unsafe-inline'${dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self'${dev ? " ws: wss:" : ""}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export function setSecurityHeaders(res: ServerResponse, dev: boolean): void {
  res.setHeader("content-security-policy", contentSecurityPolicy(dev));
  res.setHeader("x-content-type-options", "nosniff");
  res.setHeader("referrer-policy", "strict-origin-when-cross-origin");
  res.setHeader("x-frame-options", "DENY");
  res.setHeader("permissions-policy", "camera=(), microphone=(), geolocation=()");
}
