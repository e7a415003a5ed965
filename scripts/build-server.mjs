/**
 * Compiles the custom server (lib/server/main.ts and what it imports from lib/ and db/) into one
 * file, dist/server/main.js, that `npm start` runs with plain node. Part of `npm run build`.
 *
 * Packages stay external and load from node_modules: Next's route handlers import the same ones
 * (serverExternalPackages), so both share one copy of each instead of holding two.
 */
import { build } from "esbuild";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

await build({
  absWorkingDir: root,
  entryPoints: ["lib/server/main.ts"],
  outfile: "dist/server/main.js",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node22",
  // `@/` is resolved through tsconfig.json's paths before this applies, so our own modules are bundled.
  packages: "external",
  logLevel: "warning",
});
