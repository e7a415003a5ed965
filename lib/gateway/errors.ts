/**
 * The one error type of the gateway and the one place that turns it into HTTP, in OpenAI's shape:
 * {"error":{"message","type","code","param"}}.
 */
export interface GatewayErrorFields {
  /** OpenAI's error type, e.g. invalid_request_error. */
  type: string;
  code?: string | null;
  /** The request parameter at fault, as a dotted path. */
  param?: string | null;
  /** Sent with the error answer, e.g. retry-after. */
  headers?: Record<string, string>;
}

export class GatewayError extends Error {
  readonly type: string;
  readonly code: string | null;
  readonly param: string | null;
  readonly headers: Record<string, string>;

  constructor(
    readonly status: number,
    message: string,
    fields: GatewayErrorFields,
  ) {
    super(message);
    this.name = "GatewayError";
    this.type = fields.type;
    this.code = fields.code ?? null;
    this.param = fields.param ?? null;
    this.headers = fields.headers ?? {};
  }

  body(): { error: { message: string; type: string; code: string | null; param: string | null } } {
    return { error: { message: this.message, type: this.type, code: this.code, param: this.param } };
  }
}

export const invalidApiKey = (message = "Incorrect API key provided.") =>
  new GatewayError(401, message, { type: "invalid_request_error", code: "invalid_api_key" });

/** Its own code, so a program can tell "get a new key" from "this key was never right". */
export const expiredApiKey = (expiredAt: number, rotated = false) =>
  new GatewayError(
    401,
    rotated
      ? `This API key was rotated and its grace period ended at ${new Date(expiredAt).toISOString()}. Use the key that replaced it.`
      : `This API key expired at ${new Date(expiredAt).toISOString()}. Ask an admin for a new key.`,
    {
      type: "invalid_request_error",
      code: "expired_api_key",
    },
  );

export const unauthorized = (message = "Missing or invalid admin credentials.") =>
  new GatewayError(401, message, { type: "invalid_request_error", code: "unauthorized" });

export const forbidden = (message = "You do not have access to this resource.") =>
  new GatewayError(403, message, { type: "permission_error", code: "forbidden" });

export const badRequest = (message: string, param: string | null = null, code: string | null = "invalid_value") =>
  new GatewayError(400, message, { type: "invalid_request_error", code, param });

export const notFound = (message: string, code = "not_found") =>
  new GatewayError(404, message, { type: "invalid_request_error", code });

export const conflict = (message: string, param: string | null = null) =>
  new GatewayError(409, message, { type: "invalid_request_error", code: "conflict", param });

export const modelNotFound = (model: string, available: string[]) =>
  new GatewayError(
    404,
    `The model \`${model}\` does not exist or you do not have access to it. Available: ${available.join(", ") || "(none)"}.`,
    { type: "invalid_request_error", code: "model_not_found", param: "model" },
  );

export const bodyTooLarge = (limit: number, headers: Record<string, string> = {}) =>
  new GatewayError(413, `Request body is larger than the limit of ${limit} bytes.`, { type: "invalid_request_error", code: "request_too_large", headers });

export const upstreamError = (message: string, status = 502) =>
  new GatewayError(status, message, { type: "upstream_error", code: "upstream_error" });

/**
 * The egress policy refused the provider's address. The caller learns which rule, not which
 * address (the log has that); it is the gateway's configuration at fault, not the caller's request.
 */
export const egressRefused = () =>
  new GatewayError(
    502,
    "The gateway's egress policy refused to connect to this model's provider: link-local, cloud-metadata, unspecified and multicast addresses are never called, and hosts outside SWITCHYARD_PROVIDER_ALLOWLIST are not when it is set. An admin needs to fix the provider's base URL.",
    { type: "upstream_error", code: "egress_denied" },
  );

export const upstreamTimeout = (message: string) => new GatewayError(504, message, { type: "timeout", code: "timeout" });

export const methodNotAllowed = (method: string) =>
  new GatewayError(405, `Method ${method} is not allowed on this path.`, { type: "invalid_request_error", code: "method_not_allowed" });

export interface ErrorLogger {
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** An error as a status, headers and body, whichever door sends it. */
export interface ErrorAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Anything that is not a GatewayError is an internal fault: logged, never leaked to the client. */
export function toErrorAnswer(err: unknown, log?: ErrorLogger, extraHeaders?: Record<string, string>): ErrorAnswer {
  const gwErr =
    err instanceof GatewayError
      ? err
      : new GatewayError(500, "The server had an error while processing your request.", { type: "server_error", code: "internal_error" });
  if (!(err instanceof GatewayError)) log?.error("unhandled error", { error: err instanceof Error ? err.stack ?? err.message : String(err) });
  return { status: gwErr.status, headers: { "content-type": "application/json", ...gwErr.headers, ...extraHeaders }, body: JSON.stringify(gwErr.body()) };
}

export function toErrorResponse(err: unknown, log?: ErrorLogger, extraHeaders?: Record<string, string>): Response {
  const a = toErrorAnswer(err, log, extraHeaders);
  return new Response(a.body, { status: a.status, headers: a.headers });
}
