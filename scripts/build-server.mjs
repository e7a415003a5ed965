/**
 * Compiles the custom server (lib/server/main.ts and what it imports from lib/ and db/) into one
 * file, dist/server/main.js, that `npm start` runs with plain node. Part of `npm run build`.
 *
 * Packages stay external and load from node_modules: Next's route handlers import the same ones
 * (serverExternalPackages), so both share one copy of each instead of holding two. Except
 * drizzle-orm, which is bundled: Node 22 re-reads a package's package.json `exports` for each of
 * its files it loads as ESM, and drizzle's is 179 KB for the ~110 files the server loads. Measured
 * on Node 22.23: 0.65 s of CPU and 55 MiB of resident memory at start (test/bench/RESULTS.md).
 * Drizzle is made to run as more than one copy (its entity checks use Symbol.for), which is what
 * this makes of it once a route handler loads its own.
 */
import { build } from "esbuild";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const BUNDLED = ["drizzle-orm"];
const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));

await build({
  absWorkingDir: root,
  entryPoints: ["lib/server/main.ts"],
  outfile: "dist/server/main.js",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node22",
  // A package named here stays external with all its subpaths (next/constants.js and the like).
  // `@/` is resolved through tsconfig.json's paths, so our own modules are bundled.
  external: Object.keys(pkg.dependencies).filter((name) => !BUNDLED.includes(name)),
  logLevel: "warning",
});
