// The production build the benchmark runs against (Next's and the compiled server): made once when missing, or on request.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/** Newest modification time of the sources the production build is made from. */
function newestSourceMtime(): number {
  let newest = 0;
  for (const dir of ["app", "lib", "db"]) {
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
      if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
    }
  }
  return newest;
}

/** Builds what is missing (or everything when `force` is set); otherwise only warns when the build is stale. */
export function ensureBuild(force: boolean): void {
  const buildId = ".next/BUILD_ID";
  const server = "dist/server/main.js";
  if (!force && existsSync(buildId) && existsSync(server)) {
    if (newestSourceMtime() > Math.min(statSync(buildId).mtimeMs, statSync(server).mtimeMs)) {
      console.log("bench: note: sources changed after the last build; pass --build to benchmark the current tree");
    }
    return;
  }
  const nextToo = force || !existsSync(buildId);
  console.log(force ? "bench: rebuilding (npm run build)…" : `bench: no ${nextToo ? "production build" : "compiled server"}, building it once…`);
  const [cmd, args] = nextToo ? ["npm", ["run", "build"]] : [process.execPath, ["scripts/build-server.mjs"]];
  const r = spawnSync(cmd, args, {
    stdio: "inherit",
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
    timeout: 15 * 60_000,
  });
  if (r.status !== 0) throw new Error(`build failed (${r.status ?? r.signal ?? r.error?.message})`);
}
