/**
 * Postgres only: writes that SQLite runs one at a time can run together here, from several
 * instances or several pooled connections. Each case starts them at once and checks the outcome is
 * one that running them one after the other could give.
 */
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { getPgDb } from "@/db/client-pg";
import type { NewUsageRow } from "@/db/schema";
import { postgresDialect as dialect } from "../../helpers/store-dialects";

const q = dialect.store;
const now = 1_000;

beforeAll(() => dialect.open());
afterAll(() => dialect.close());
beforeEach(() => dialect.reset());

const connect = async () => {
  const client = new pg.Client({ connectionString: getPgDb().$client.options.connectionString });
  await client.connect();
  return client;
};

function tracked<T>(promise: Promise<T>) {
  const state = { promise, finished: false };
  promise.then(
    () => (state.finished = true),
    () => (state.finished = true),
  );
  return state;
}

/** Returns once `n` statements are waiting for a lock, or once `work` has finished without that. */
async function untilBlocked(n: number, work: { finished: boolean }): Promise<void> {
  const monitor = await connect();
  try {
    for (let waiting = 0; waiting < n && !work.finished; ) {
      const res = await monitor.query<{ n: string }>(`select count(*) as n from pg_stat_activity where wait_event_type = 'Lock'`);
      waiting = Number(res.rows[0]!.n);
    }
  } finally {
    await monitor.end();
  }
}

/**
 * Runs `works` together while another connection holds the row `lockSql` locks, and lets go once
 * each is waiting for a lock: none can finish before all have started.
 */
async function atOnce<T>(lockSql: string, works: Array<() => Promise<T>>): Promise<T[]> {
  const holder = await connect();
  try {
    await holder.query("begin");
    await holder.query(lockSql);
    const all = tracked(Promise.all(works.map((w) => w())));
    await untilBlocked(works.length, all);
    await holder.query("commit");
    return await all.promise;
  } finally {
    await holder.end();
  }
}

describe("concurrent writes on Postgres", () => {
  it("a usage read never moves its position past a batch still being written", async () => {
    const writer = await connect();
    try {
      // This batch takes id 1 and stays open while a later one (id 2) commits.
      await writer.query("begin");
      await writer.query(`insert into "usage" (request_id, created_at, route_id, variant, status, http_status) values ('slow', 10, 'r1', 'control', 'ok', 200)`);
      const later: NewUsageRow = { requestId: "fast", createdAt: 11, routeId: "r1", variant: "candidate", status: "ok", httpStatus: 200 };
      await dialect.addUsage([later]);

      // The read queues behind the open batch, then either gets both rows or, having waited its
      // limit, reports nothing new; one that went ahead without waiting would report row 2 alone
      // and move past row 1 for good.
      const reading = tracked(q.routes.readRouteUsageAfter({ routeId: "r1", since: 0, afterId: 0 }));
      await untilBlocked(1, reading);
      await writer.query("commit");
      const first = await reading.promise;
      const second = await q.routes.readRouteUsageAfter({ routeId: "r1", since: 0, afterId: first.lastId });
      expect([...first.rows, ...second.rows].map((r) => [r.id, r.variant])).toEqual([[1, "control"], [2, "candidate"]]);
      expect(second.lastId).toBe(2);
    } finally {
      await writer.end();
    }
  });

  it("a usage read does not wait out a vacuum: it reports nothing new and keeps its position", async () => {
    await dialect.addUsage([{ requestId: "a", createdAt: 10, routeId: "r1", status: "ok", httpStatus: 200 }]);
    const vacuum = await connect();
    try {
      // The lock a vacuum holds on the table while it runs.
      await vacuum.query("begin");
      await vacuum.query(`lock table "usage" in share update exclusive mode`);
      expect(await q.routes.readRouteUsageAfter({ routeId: "r1", since: 0, afterId: 0 })).toEqual({ rows: [], lastId: 0 });
      await vacuum.query("commit");
    } finally {
      await vacuum.end();
    }
    const read = await q.routes.readRouteUsageAfter({ routeId: "r1", since: 0, afterId: 0 });
    expect(read.rows.map((r) => r.id)).toEqual([1]);
    expect(read.lastId).toBe(1);
  });

  it("two rotations of one key at once: one rotates it, the other finds it rotated", async () => {
    await q.teams.insertTeam({ id: "t1", name: "t1", createdAt: now, updatedAt: now });
    await q.apiKeys.insertApiKey({ id: "k1", teamId: "t1", name: "k1", prefix: "sk-1", keyHash: "h1", createdAt: now });
    const rotate = (id: string) =>
      q.apiKeys.rotateApiKey({ id: "k1", replacement: { id, teamId: "t1", name: id, prefix: id, keyHash: `h-${id}`, createdAt: now }, oldExpiresAt: now + 60_000, now });
    const outcomes = await atOnce(`select 1 from api_keys where id = 'k1' for update`, [() => rotate("ka"), () => rotate("kb")]);
    expect(outcomes.map((o) => (o.ok ? "ok" : o.reason)).sort()).toEqual(["ok", "rotated"]);
    const winner = outcomes.find((o) => o.ok)!;
    expect(winner.ok && (await q.apiKeys.getApiKeyById({ id: "k1" }))?.replacedById).toBe(winner.ok && winner.created.id);
    expect(await q.apiKeys.listKeysByTeam({ teamId: "t1" })).toHaveLength(2);
  });

  it("many changes to callers at once each count once in the version", async () => {
    await q.teams.insertTeam({ id: "t1", name: "t1", createdAt: now, updatedAt: now });
    const ids = Array.from({ length: 8 }, (_, i) => `k${i}`);
    for (const id of ids) await q.apiKeys.insertApiKey({ id, teamId: "t1", name: id, prefix: id, keyHash: `h-${id}`, createdAt: now });
    await Promise.all(ids.map((id) => q.apiKeys.revokeApiKey({ id, now })));
    expect(await q.auth.readCallersVersion()).toBe(String(ids.length * 2));
  });

  it("two replacements of one person's teams at once leave exactly one of the two lists", async () => {
    await dialect.addUser({ id: "u1", email: "u1@example.com", name: "U1" });
    for (const id of ["ta", "tb", "tc"]) await q.teams.insertTeam({ id, name: id, createdAt: now, updatedAt: now });
    await atOnce(`select 1 from users where id = 'u1' for update`, [
      () => q.users.setTeamsOfUser({ userId: "u1", teamIds: ["ta", "tb"], now }),
      () => q.users.setTeamsOfUser({ userId: "u1", teamIds: ["tb", "tc"], now }),
    ]);
    const teams = (await q.users.listTeamsOfUser({ userId: "u1" })).map((t) => t.id);
    expect([["ta", "tb"], ["tb", "tc"]]).toContainEqual(teams);
    expect(teams).toContain((await q.users.getUserById({ id: "u1" }))?.currentTeamId);
  });

  it("two saves of one conversation at once leave exactly one of them", async () => {
    await dialect.addUser({ id: "u1", email: "u1@example.com", name: "U1" });
    await q.conversations.insertConversation({ id: "c1", userId: "u1", title: "Chat", model: "m1", createdAt: now, updatedAt: now });
    const save = (texts: string[]) =>
      q.conversations.replaceMessages({ conversationId: "c1", rows: texts.map((t, i) => ({ id: `m${i}`, role: "user" as const, parts: [t], metadata: null })), now });
    await atOnce(`select 1 from conversations where id = 'c1' for update`, [() => save(["a", "b"]), () => save(["x", "y", "z"])]);
    const parts = (await q.conversations.listMessages({ conversationId: "c1" })).map((m) => m.parts[0]);
    expect([["a", "b"], ["x", "y", "z"]]).toContainEqual(parts);
  });

  it("two models renamed at once, each in the other's fallbacks and a team's list: both renames land", async () => {
    await q.providers.insertProvider({ id: "p1", name: "p1", kind: "simulator", createdAt: now, updatedAt: now });
    const model = (id: string, fallbacks: string[]) => ({ id, name: id, providerId: "p1", upstreamModel: id, inputMicrosPerMTok: 1, outputMicrosPerMTok: 1, fallbacks, createdAt: now, updatedAt: now });
    await q.models.insertModel(model("m1", ["m2"]));
    await q.models.insertModel(model("m2", ["m1"]));
    await q.teams.insertTeam({ id: "t1", name: "t1", allowedModels: ["m1", "m2"], createdAt: now, updatedAt: now });
    await Promise.all([
      q.models.updateModel({ id: "m1", patch: { name: "one" }, now }),
      q.models.updateModel({ id: "m2", patch: { name: "two" }, now }),
    ]);
    expect((await q.models.getModelById({ id: "m1" }))?.fallbacks).toEqual(["two"]);
    expect((await q.models.getModelById({ id: "m2" }))?.fallbacks).toEqual(["one"]);
    expect((await q.teams.getTeamById({ id: "t1" }))?.allowedModels).toEqual(["one", "two"]);
  });
});
