/**
 * The gateway pipeline behind a bare node:http server, without Next.js: the benchmark runs the same
 * load against it and against the normal server to show what the framework costs. A measurement
 * aid, not a way to serve the product. Uses the environment the normal server does (DATABASE_PATH,
 * SWITCHYARD_SECRET, …), so started on the benchmark's database it sees the same keys and routes.
 *
 *   PORT=0 DATABASE_PATH=… SWITCHYARD_SECRET=… tsx test/bench/bare-gateway.ts
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { parseEnv } from "../../lib/env";
import { notFound, toErrorResponse } from "../../lib/gateway/errors";
import { createRuntime } from "../../lib/server/runtime";
import { setSecurityHeaders } from "../../lib/server/security-headers";
import { readBody, sendWebResponse, toWebRequest } from "../../lib/simulator/node-adapter";

const PATH = "/v1/chat/completions";
// The same connection timeouts as lib/server/main.ts, so only the framework differs.
const HEADERS_TIMEOUT_MS = 30_000;
const REQUEST_TIMEOUT_MS = 120_000;
const SHUTDOWN_GRACE_MS = 5_000;

async function main(): Promise<void> {
  const env = parseEnv();
  const runtime = createRuntime(env);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // As the custom server does for every response, so the comparison leaves only Next.js out.
    setSecurityHeaders(res, false);
    if (req.method !== "POST" || (req.url ?? "").split("?")[0] !== PATH) {
      req.resume();
      return sendWebResponse(res, toErrorResponse(notFound(`Only POST ${PATH} is served here.`)));
    }
    const body = await readBody(req);
    const aborter = new AbortController();
    res.on("close", () => {
      if (!res.writableFinished) aborter.abort();
    });
    const response = await runtime.gateway.chatCompletions(toWebRequest(req, body, aborter.signal));
    await sendWebResponse(res, response);
  }

  const server = createServer(
    { headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS, connectionsCheckingInterval: 5_000 },
    (req, res) => {
      handle(req, res).catch((err: unknown) => {
        if (res.headersSent) return void res.destroy();
        void sendWebResponse(res, toErrorResponse(err, runtime.log));
      });
    },
  );
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(env.PORT, env.HOSTNAME, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  console.log(`Bare gateway listening on http://${env.HOSTNAME}:${port}`);

  const stop = () => {
    const force = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
    server.close(() => {
      clearTimeout(force);
      void runtime.shutdown().then(() => process.exit(0));
    });
    server.closeIdleConnections();
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
