/**
 * The one wrapper around the route handlers under app/ (all but the OpenAI door's, which the
 * gateway answers itself): who may call, same-origin for writes a cookie authenticated, the JSON
 * body read lazily under a size limit, the answer as JSON unless the handler built its own
 * Response, and every error through toErrorResponse.
 */
import type { AdminContext } from "../admin/context";
import type { Env } from "../env";
import { readJsonBody } from "../gateway/body";
import { toErrorResponse } from "../gateway/errors";
import { admitAdmin, admitPerson, admitTeamKey, type Granted, type KeyScope } from "./access";
import { getRuntime, type Runtime } from "./runtime";
import { assertSameOrigin, type Viewer } from "./session";

/** The doors a route can have; see access.ts for what each accepts. */
export type Door = "admin" | "session" | "team-key" | "public";

/** A route's own admission rule (e.g. /metrics's optional token): throws to refuse, gives nothing. */
export type Check = (req: Request, runtime: Runtime) => void | Promise<void>;

interface Grants {
  admin: { ctx: AdminContext };
  session: { viewer: Viewer };
  "team-key": { scope: KeyScope };
  public: Record<never, never>;
}

type GrantOf<A> = A extends Door ? Grants[A] : Record<never, never>;

export type RouteInput<A, K extends string> = GrantOf<A> & {
  runtime: Runtime;
  req: Request;
  params: Record<K, string>;
  query: URLSearchParams;
  /** Reads and parses the JSON body: 400 when malformed or empty, 413 over the route's limit. */
  json: () => Promise<unknown>;
};

export interface RouteOptions<A, K extends string> {
  auth: A;
  /** The [segments] in the route's folder name, for the handler's `params` type. */
  params?: readonly K[];
  /** Status of a JSON answer; a Response the handler builds keeps its own. */
  status?: number;
  /** Bytes of JSON body `json()` reads before answering 413; see DEFAULT_MAX_BODY_BYTES. */
  maxBodyBytes?: number | ((env: Env) => number);
  /**
   * "cookie" (the default): a state change authenticated by a session cookie must come from our
   * own pages. "always": whoever calls, as for a public form that creates something.
   */
  sameOrigin?: "cookie" | "always";
}

// An admin's bodies may be as large as the server-wide cap lets through (model and route settings
// are the largest); everyone else sends settings-sized objects. The chat door sets its own.
const DEFAULT_MAX_BODY_BYTES: Record<Door, number> = {
  admin: 1024 * 1024,
  session: 64 * 1024,
  "team-key": 64 * 1024,
  public: 64 * 1024,
};

const ADMIT: Record<Door, (req: Request, runtime: Runtime) => Promise<Granted<object>>> = {
  admin: admitAdmin,
  session: admitPerson,
  "team-key": admitTeamKey,
  public: async () => ({ grant: {}, byCookie: false }),
};

async function admit(auth: Door | Check, req: Request, runtime: Runtime): Promise<Granted<object>> {
  if (typeof auth === "string") return ADMIT[auth](req, runtime);
  await auth(req, runtime);
  return { grant: {}, byCookie: false };
}

function bodyLimit(opts: RouteOptions<Door | Check, string>, env: Env): number {
  if (typeof opts.maxBodyBytes === "function") return opts.maxBodyBytes(env);
  return opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES[typeof opts.auth === "string" ? opts.auth : "public"];
}

export function apiRoute<A extends Door | Check, K extends string = never>(opts: RouteOptions<A, K>, handler: (input: RouteInput<A, K>) => unknown) {
  return async (req: Request, route: { params: Promise<Record<K, string>> }): Promise<Response> => {
    let runtime: Runtime | undefined;
    try {
      runtime = await getRuntime();
      const { grant, byCookie } = await admit(opts.auth, req, runtime);
      if (byCookie || opts.sameOrigin === "always") assertSameOrigin(req, runtime.env.SWITCHYARD_PUBLIC_URL);
      const limit = bodyLimit(opts, runtime.env);
      const input = { ...grant, runtime, req, params: await route.params, query: new URL(req.url).searchParams, json: () => readJsonBody(req, limit) };
      const result = await handler(input as RouteInput<A, K>);
      if (result instanceof Response) return result;
      return Response.json(result, { status: opts.status ?? 200, headers: { "cache-control": "no-store" } });
    } catch (err) {
      return toErrorResponse(err, runtime?.log ?? console);
    }
  };
}
