/**
 * Profiles the gateway's native /v1 path: starts the simulator and the gateway (with --cpu-prof),
 * configures the gateway as the benchmark does, drives non-streaming load, stops the gateway so it
 * writes its profile, and prints the heaviest functions by self time.
 *
 *   tsx test/bench/profile-native.ts [--seconds 10] [--concurrency 64] [--stream] [--dir /tmp/prof]
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { runToEnd, startChild } from "./processes";
import { configureGateway, routeAlias } from "./setup";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount: number;
}

async function main() {
  const { values } = parseArgs({ options: { seconds: { type: "string", default: "10" }, concurrency: { type: "string", default: "64" }, stream: { type: "boolean", default: false }, dir: { type: "string", default: join(tmpdir(), "switchyard-prof") } } });
  const profDir = values.dir!;
  mkdirSync(profDir, { recursive: true });
  for (const f of readdirSync(profDir)) rmSync(join(profDir, f));
  const dir = mkdtempSync(join(tmpdir(), "switchyard-prof-db-"));
  const profiles = { "bench-fast": { ttftMs: 0, tokensPerSecond: 1_000_000, outputTokens: 16 }, "bench-stream": { ttftMs: 20, tokensPerSecond: 200, outputTokens: 32 } };
  const sim = await startChild({ name: "simulator", script: "lib/simulator/server.ts", env: { ...process.env, SIM_PORT: "0", SIM_HOST: "127.0.0.1", SIM_CONFIG: JSON.stringify(profiles) }, ready: /Simulator listening on (http:\/\/\S+)/, timeoutMs: 30_000 });
  const adminToken = randomBytes(16).toString("hex");
  const gw = await startChild({
    name: "gateway",
    script: "lib/server/main.ts",
    nodeArgs: ["--max-semi-space-size=64", "--cpu-prof", `--cpu-prof-dir=${profDir}`],
    env: { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1", PORT: "0", HOSTNAME: "127.0.0.1", DATABASE_PATH: join(dir, "db"), SWITCHYARD_SECRET: randomBytes(16).toString("hex"), SWITCHYARD_ADMIN_TOKEN: adminToken, SWITCHYARD_DEMO: "0", SWITCHYARD_LOG_LEVEL: "warn" },
    ready: /Switchyard listening on (http:\/\/\S+)/,
    timeoutMs: 120_000,
  });
  const base = gw.match[1]!.replace("localhost", "127.0.0.1");
  try {
    const { key } = await configureGateway({ gateway: base, adminToken, simulator: sim.match[1]!, models: Object.keys(profiles) });
    const model = routeAlias(values.stream ? "bench-stream" : "bench-fast");
    const out = await runToEnd("test/bench/load.ts", ["--url", `${base}/v1/chat/completions`, "--model", model, "--key", key, "--duration", values.seconds!, "--concurrency", values.concurrency!, ...(values.stream ? ["--stream"] : [])], 120_000);
    console.log(out.trim().split("\n").at(-1));
  } finally {
    await gw.child.stop();
    await sim.child.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const file = readdirSync(profDir).find((f) => f.endsWith(".cpuprofile"));
  if (!file) throw new Error("no profile written");
  const profile = JSON.parse(readFileSync(join(profDir, file), "utf8")) as { nodes: ProfileNode[] };
  const total = profile.nodes.reduce((s, n) => s + n.hitCount, 0);
  const byFn = new Map<string, number>();
  for (const n of profile.nodes) {
    const where = n.callFrame.url.replace(/^.*\/(node_modules\/(?:@[^/]+\/)?[^/]+|lib|app|db)\//, "$1/");
    const key = `${n.callFrame.functionName || "(anonymous)"} ${where}:${n.callFrame.lineNumber + 1}`;
    byFn.set(key, (byFn.get(key) ?? 0) + n.hitCount);
  }
  const byArea = new Map<string, number>();
  for (const n of profile.nodes) {
    const u = n.callFrame.url;
    const area = !u ? n.callFrame.functionName || "(native)" : u.includes("node_modules/") ? u.replace(/^.*node_modules\/((?:@[^/]+\/)?[^/]+).*$/, "$1") : u.startsWith("node:") ? u : u.replace(/^.*\/(lib\/[^/]+|db)\/.*$/, "$1");
    byArea.set(area, (byArea.get(area) ?? 0) + n.hitCount);
  }
  const top = (m: Map<string, number>, n: number) => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `${((100 * v) / total).toFixed(1).padStart(5)} %  ${k}`).join("\n");
  console.log(`\nby area (self time, ${total} samples):\n${top(byArea, 25)}\n\nby function:\n${top(byFn, 40)}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
