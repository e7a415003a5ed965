// The production build the benchmark runs against: made once when missing, or on request.
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

/** Runs `next build` when there is no build or `force` is set; otherwise only warns when it is stale. */
export function ensureBuild(force: boolean): void {
  const buildId = ".next/BUILD_ID";
  if (!force && existsSync(buildId)) {
    if (newestSourceMtime() > statSync(buildId).mtimeMs) {
      console.log("bench: note: sources changed after the last `next build`; pass --build to benchmark the current tree");
    }
    return;
  }
  console.log(force ? "bench: rebuilding (next build)…" : "bench: no production build, running `next build` once…");
  const r = spawnSync("npx", ["next", "build"], {
    stdio: "inherit",
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
    timeout: 15 * 60_000,
  });
  if (r.status !== 0) throw new Error(`next build failed (${r.status ?? r.signal ?? r.error?.message})`);
}
