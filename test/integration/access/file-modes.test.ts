/**
 * Data at rest is the server user's alone: on a fresh start the data folder is 0700 and the
 * database, its WAL and shared-memory files and the generated secret are 0600.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type TestServer } from "../../helpers/server";

const root = mkdtempSync(join(tmpdir(), "switchyard-modes-"));
// A folder the server has to create itself, so its mode is the server's choice.
const data = join(root, "data");
const dbPath = join(data, "switchyard.db");
let server: TestServer;

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

beforeAll(async () => {
  // No SWITCHYARD_SECRET, so the server writes one into the data folder.
  server = await startServer({ dir: root, env: { DATABASE_PATH: dbPath, SWITCHYARD_SECRET: "" } });
});
afterAll(async () => {
  await server?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe("file modes of the data folder", () => {
  it("creates the folder 0700 and the database, -wal, -shm and secret 0600", async () => {
    // A write, so the WAL holds a commit the server has not checkpointed yet.
    const created = await server.admin("/api/admin/teams", { method: "POST", json: { name: "modes" } });
    expect(created.status).toBe(201);

    for (const file of ["switchyard.db", "switchyard.db-wal", "switchyard.db-shm", "secret"]) {
      expect(existsSync(join(data, file)), file).toBe(true);
    }
    expect(mode(data)).toBe("700");
    expect({
      db: mode(dbPath),
      wal: mode(`${dbPath}-wal`),
      shm: mode(`${dbPath}-shm`),
      secret: mode(join(data, "secret")),
    }).toEqual({ db: "600", wal: "600", shm: "600", secret: "600" });
  });
});
