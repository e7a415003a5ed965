/**
 * `npm start`: migrates and seeds the database, prints the banner, then serves the Next.js app.
 * SIGTERM stops accepting connections, lets in-flight responses finish (up to a grace period)
 * and flushes queued usage rows before exit.
 */
import { createServer } from "node:http";
import { parseEnv } from "../env";
import { apiPath as apiPathOf, createApiDoor } from "./api-door";
import { capBody } from "./body-cap";
import { parseTrustedProxies, stampClient } from "./client-address";
import { ensureAdminFromEnv, issueSetupToken } from "./first-admin";
import { prepareNext } from "./next-app";
import { setSecurityHeaders } from "./security-headers";
import { createRuntime, installRuntime } from "./runtime";

const GRACE_MS = Number(process.env.SWITCHYARD_SHUTDOWN_GRACE_MS) || 10_000;
// Slow clients cannot hold a connection open forever while sending headers or a body. Settable so
// tests need not wait out the production values.
const HEADERS_TIMEOUT_MS = Number(process.env.SWITCHYARD_HEADERS_TIMEOUT_MS) || 30_000;
const REQUEST_TIMEOUT_MS = Math.max(Number(process.env.SWITCHYARD_REQUEST_TIMEOUT_MS) || 120_000, HEADERS_TIMEOUT_MS);

async function main() {
  const dev = process.argv.includes("--dev");
  const env = parseEnv();
  const proxies = parseTrustedProxies(env.SWITCHYARD_TRUSTED_PROXIES);
  const runtime = await createRuntime(env);
  runtime.clientStamped = true;
  installRuntime(runtime);
  await ensureAdminFromEnv(runtime);
  await issueSetupToken(runtime);

  const handle = await prepareNext({ dev, hostname: env.HOSTNAME, port: env.PORT });
  const apiDoor = createApiDoor(runtime.gateway, runtime.log);
  let stopping = false;
  const server = createServer(
    {
      headersTimeout: HEADERS_TIMEOUT_MS,
      requestTimeout: REQUEST_TIMEOUT_MS,
      // Node enforces both timeouts only when this sweep runs (30 s by default), which would let a
      // slow client stay up to twice as long as the timeout says.
      connectionsCheckingInterval: Math.min(5_000, Math.max(100, Math.floor(HEADERS_TIMEOUT_MS / 4))),
    },
    (req, res) => {
      setSecurityHeaders(res, dev);
      // While draining, an answered connection is not kept for another request the server would refuse.
      if (stopping) res.setHeader("connection", "close");
      stampClient(req, proxies);
      capBody(req, res, env.SWITCHYARD_MAX_BODY_BYTES, () => {
        // The OpenAI-compatible door (/v1 and /api/v1) never reaches Next.js.
        const apiPath = apiPathOf(req.url);
        if (apiPath !== null) return apiDoor(apiPath, req, res);
        handle(req, res).catch((err: unknown) => {
          runtime.log.error("request failed", { error: err instanceof Error ? err.message : String(err) });
          if (!res.headersSent) res.writeHead(500);
          res.end();
        });
      });
    },
  );
  server.keepAliveTimeout = 65_000;

  // A deep accept queue, so a burst of thousands of new streams waits instead of being refused.
  await new Promise<void>((resolve) => server.listen({ port: env.PORT, host: env.HOSTNAME, backlog: 4096 }, resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : env.PORT;
  const url = `http://localhost:${port}`;
  // One write, so whoever watches for the first line gets the banner with it.
  console.log([`Switchyard listening on ${url}`, ...runtime.banner].join("\n"));

  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    runtime.log.info("shutting down", { signal });
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // close() drops the connections idle at this moment only; a keep-alive connection whose
    // response ends later would otherwise stay open and hold the exit until the grace period ends.
    const sweep = setInterval(() => server.closeIdleConnections(), 100);
    server.closeIdleConnections();
    await Promise.race([closed, new Promise((r) => setTimeout(r, GRACE_MS).unref())]);
    clearInterval(sweep);
    server.closeAllConnections();
    await runtime.shutdown();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
