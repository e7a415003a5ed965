import { defineConfig } from "drizzle-kit";

// The Postgres schema and its migrations, used when DATABASE_URL names a Postgres server.
export default defineConfig({
  dialect: "postgresql",
  schema: "./db/schema-pg/index.ts",
  out: "./db/migrations-pg",
});
