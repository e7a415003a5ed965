import type { NextConfig } from "next";

const config: NextConfig = {
  // The OpenAI door lives under /api/v1; clients configured with base URL "<host>/v1" land there too.
  async rewrites() {
    return [{ source: "/v1/:path*", destination: "/api/v1/:path*" }];
  },
  serverExternalPackages: ["better-sqlite3"],
  poweredByHeader: false,
  // forbidden(): members who open a settings page get a real 403 page.
  experimental: { authInterrupts: true },
};

export default config;
