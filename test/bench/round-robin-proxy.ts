/**
 * One port in front of several gateways for the bench: each new TCP connection goes to the next
 * backend in turn and is piped both ways. On SIGTERM it prints, per backend, the connections it
 * was given and the requests sent on them (counted as "POST " in the bytes), then exits.
 *
 *   tsx test/bench/round-robin-proxy.ts --backend 127.0.0.1:4001 --backend 127.0.0.1:4002
 */
import { connect, createServer, type Socket } from "node:net";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { backend: { type: "string", multiple: true }, port: { type: "string", default: "0" } } });
const backends = (values.backend ?? []).map((b) => {
  const [host, port] = b.split(":");
  if (!host || !port) throw new Error(`--backend ${b}: expected host:port`);
  return { target: b, host, port: Number(port), connections: 0, requests: 0 };
});
if (backends.length === 0) throw new Error("give at least one --backend host:port");

const POST = Buffer.from("POST ");
const countPosts = (chunk: Buffer) => {
  let n = 0;
  for (let i = chunk.indexOf(POST); i !== -1; i = chunk.indexOf(POST, i + POST.length)) n++;
  return n;
};

let next = 0;
const server = createServer((client: Socket) => {
  const backend = backends[next]!;
  next = (next + 1) % backends.length;
  backend.connections++;
  const upstream = connect({ host: backend.host, port: backend.port });
  client.setNoDelay(true);
  upstream.setNoDelay(true);
  client.on("data", (chunk: Buffer) => (backend.requests += countPosts(chunk)));
  client.pipe(upstream).pipe(client);
  // Either side failing ends both: the client sees a cut connection, as it would from a real balancer.
  const close = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on("error", close);
  upstream.on("error", close);
  client.on("close", close);
  upstream.on("close", close);
});

server.listen(Number(values.port), "127.0.0.1", () => {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  console.log(`Proxy listening on http://127.0.0.1:${port}`);
});

process.once("SIGTERM", () => {
  const stats = backends.map(({ target, connections, requests }) => ({ target, connections, requests }));
  process.stdout.write(`proxy stats ${JSON.stringify(stats)}\n`, () => process.exit(0));
});
