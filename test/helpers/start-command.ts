/**
 * package.json's `start` script split into what it sets and what it runs, so tests, the benchmark
 * and the container check start the server exactly as `npm start` does.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

export interface StartCommand {
  /** The raw script, e.g. `NODE_ENV=production exec node --max-semi-space-size=64 dist/server/main.js`. */
  script: string;
  /** Variables the script assigns before the command. */
  env: Record<string, string>;
  /** The command itself, starting with `node`. */
  argv: string[];
  /** Node's own flags (between `node` and the entry file). */
  nodeFlags: string[];
  /** The entry file node runs. */
  entry: string;
}

export function startCommand(root = process.cwd()): StartCommand {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { scripts: { start: string } };
  const script = pkg.scripts.start;
  const words = script.trim().split(/\s+/);
  const env: Record<string, string> = {};
  while (words[0] && /^[A-Z_][A-Z0-9_]*=/.test(words[0])) {
    const [name, ...value] = words.shift()!.split("=");
    env[name!] = value.join("=");
  }
  if (words[0] === "exec") words.shift();
  if (words[0] !== "node") throw new Error(`the start script should run node directly, found: ${script}`);
  const nodeFlags = words.slice(1).filter((w) => w.startsWith("-"));
  const entry = words.slice(1).find((w) => !w.startsWith("-"));
  if (!entry) throw new Error(`no entry file in the start script: ${script}`);
  return { script, env, argv: words, nodeFlags, entry };
}
