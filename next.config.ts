import type { NextConfig } from "next";

const config: NextConfig = {
  // Required from node_modules at run time instead of bundled: Turbopack puts a copy of every
  // bundled dependency into each route's server chunk, and each chunk's source stays in memory
  // (a 3 MB chunk, 18 times over, was most of the server's heap at rest).
  serverExternalPackages: ["better-sqlite3", "better-auth", "drizzle-orm", "undici", "gpt-tokenizer", "zod", "eventsource-parser", "pg", "ioredis"],
  poweredByHeader: false,
  // authInterrupts: forbidden() gives members who open a settings page a real 403 page.
  experimental: {
    authInterrupts: true,
    // Route and page modules load on their first request instead of all at start: a gateway that
    // only serves the API never holds the pages' server bundles (about 30 MiB less at rest).
    preloadEntriesOnStart: false,
  },
};

export default config;
