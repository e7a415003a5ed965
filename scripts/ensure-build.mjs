/**
 * `npm start` runs this first: on a fresh checkout it builds what is missing (the Next.js build,
 * the compiled server) once; later starts find both and go straight on. Plain JavaScript, so the
 * check costs a bare node start and no TypeScript loader.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

function run(what, args) {
  console.log(`No ${what} found; building it once…`);
  const r = spawnSync(process.execPath, args, { stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

if (!existsSync(".next/BUILD_ID")) run("production build", [require.resolve("next/dist/bin/next"), "build"]);
if (!existsSync("dist/server/main.js")) run("compiled server", ["scripts/build-server.mjs"]);
