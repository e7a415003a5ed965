// `npm run sim`: the simulator as a standalone HTTP server, with per-model profiles set at runtime.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";
import { createSimulator } from "./handler";
import { readBody, sendWebResponse, toWebRequest } from "./node-adapter";
import { BUILTIN_PROFILES, resolveProfile, simProfileSchema, type SimProfile } from "./profile";
import { errorBody } from "./wire";

export interface SimulatorServerOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  profiles?: Record<string, Partial<SimProfile>>;
}

export interface SimulatorServer {
  url: string;
  close(): Promise<void>;
}

const ADMIN_PREFIX = "/_sim/models";

export async function startSimulatorServer(options: SimulatorServerOptions = {}): Promise<SimulatorServer> {
  const { port = 0, host = "127.0.0.1" } = options;
  const profiles = new Map(Object.entries(options.profiles ?? {}));
  const simulator = createSimulator({ profileFor: (model) => profiles.get(model), models: () => profiles.keys() });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const path = (req.url ?? "/").split("?")[0]!;
    if (path === ADMIN_PREFIX || path.startsWith(`${ADMIN_PREFIX}/`)) return admin(req.method, path, body, res);

    const aborter = new AbortController();
    res.on("close", () => {
      if (!res.writableFinished) aborter.abort();
    });
    const response = await simulator.fetch(toWebRequest(req, body, aborter.signal)).catch((err: unknown) => {
      if (aborter.signal.aborted) return undefined;
      throw err;
    });
    if (response) await sendWebResponse(res, response);
  }

  function admin(method: string | undefined, path: string, body: Buffer, res: ServerResponse): void {
    const model = decodePathPart(path.slice(ADMIN_PREFIX.length + 1));
    if (model === undefined) return json(res, 400, errorBody("Malformed model name in the URL.", "invalid_request_error"));
    if (method === "GET" && !model) return json(res, 200, Object.fromEntries(profiles));
    if (method === "PUT" && model) {
      const parsed = parseJson(body.toString("utf8"));
      const result = simProfileSchema.safeParse(parsed);
      if (!result.success) {
        const issue = result.error.issues[0];
        const message = parsed === undefined ? "Body must be JSON." : `Invalid profile: ${issue?.message ?? "invalid"}.`;
        return json(res, 400, errorBody(message, "invalid_request_error", issue?.path.join(".") || null));
      }
      profiles.set(model, result.data);
      return json(res, 200, { model, profile: resolveProfile(BUILTIN_PROFILES[model], result.data) });
    }
    if (method === "DELETE" && model) {
      profiles.delete(model);
      return void res.writeHead(204).end();
    }
    json(res, 404, errorBody(`Unknown request URL: ${method} ${path}.`, "invalid_request_error", null, "unknown_url"));
  }

  const server = createServer({ noDelay: true }, (req, res) => {
    handle(req, res).catch(() => {
      if (res.headersSent) res.destroy();
      else json(res, 500, errorBody("The simulator failed.", "server_error"));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    // Benchmarks open thousands of streams at once; the default accept queue (511) refuses some.
    server.listen({ port, host, backlog: 4096 }, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const hostname = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${hostname}:${address.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) }).end(text);
}

function decodePathPart(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Per-model profiles from SIM_CONFIG: `{ "<model>": { ...partial profile } }`. */
export function parseSimConfig(text: string | undefined): Record<string, Partial<SimProfile>> {
  if (!text) return {};
  const parsed = parseJson(text);
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("SIM_CONFIG must be a JSON object of model → profile");
  const profiles: Record<string, Partial<SimProfile>> = {};
  for (const [model, value] of Object.entries(parsed)) {
    const result = simProfileSchema.safeParse(value);
    if (!result.success) throw new Error(`SIM_CONFIG.${model}: ${result.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")}`);
    profiles[model] = result.data;
  }
  return profiles;
}

async function main(): Promise<void> {
  // || (not ??) so empty env values fall back to the defaults.
  const port = Number(process.env.SIM_PORT || 4010);
  const host = process.env.SIM_HOST || "127.0.0.1";
  const server = await startSimulatorServer({ port, host, profiles: parseSimConfig(process.env.SIM_CONFIG) });
  console.log(`Simulator listening on ${server.url}`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
