/**
 * The Next.js app behind the custom server. In production it runs on the configuration the build
 * resolved (as Next's own standalone server does) instead of loading next.config.ts again.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import next from "next";
import { PHASE_PRODUCTION_SERVER } from "next/constants.js";

const BUILD_CONFIG_ENV = "__NEXT_PRIVATE_STANDALONE_CONFIG";

/**
 * Loading next.config.ts means transpiling it, which loads Next's native compiler: about 30 MiB
 * of resident memory for the process's whole life, for an object the build already wrote out in
 * full. A build without that file (or a Next that stops reading the variable) falls back to
 * loading the config as before.
 */
function useBuildConfig(dir: string): void {
  if (process.env[BUILD_CONFIG_ENV]) return;
  try {
    const files = JSON.parse(readFileSync(join(dir, ".next/required-server-files.json"), "utf8")) as { config?: unknown };
    if (files.config) process.env[BUILD_CONFIG_ENV] = JSON.stringify(files.config);
  } catch {
    // No build output to read: Next reports that itself, in its own words.
  }
}

/**
 * Next prints "Running next.config took N ms" the first time it loads its config, even when that is
 * the build's copy above. Loading it once silently first (Next caches it for the process) keeps that
 * line out of the start-up output. Next's own module, not its public API: if it moves, the line is back.
 */
async function loadConfigQuietly(dir: string): Promise<void> {
  try {
    // Required, not imported: the same CommonJS instance (and cache) as Next's own.
    const { default: loadConfig } = createRequire(import.meta.url)("next/dist/server/config.js") as typeof import("next/dist/server/config.js");
    await loadConfig(PHASE_PRODUCTION_SERVER, dir);
  } catch {
    // Next loads it again itself, with its line.
  }
}

export async function prepareNext(opts: { dev: boolean; hostname: string; port: number }) {
  const dir = process.cwd();
  if (!opts.dev) {
    useBuildConfig(dir);
    await loadConfigQuietly(dir);
  }
  const app = next({ dev: opts.dev, dir, hostname: opts.hostname, port: opts.port });
  await app.prepare();
  return app.getRequestHandler();
}
