/** `npm start` runs this first: builds the app once when there is no production build yet. */
import { existsSync } from "node:fs";
import { spawnSync } from "node:child_process";

if (!existsSync(".next/BUILD_ID")) {
  console.log("No production build found; running `next build` once…");
  const r = spawnSync("npx", ["next", "build"], { stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
  process.exit(r.status ?? 1);
}
