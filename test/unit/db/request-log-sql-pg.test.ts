import { describe, expect, it } from "vitest";
import { requestLogSql } from "@/db/queries-pg/usage-requests";

describe("requestLogSql for Postgres", () => {
  it("numbers one placeholder per value, in the order the values are listed", () => {
    const filter = { from: 1, to: 2, teamId: "t", keyId: "k", userId: "u", model: "m", routeId: "r", status: "ok", endpoint: "chat" };
    const { sql, params } = requestLogSql(filter, { createdAt: 3, id: 4 }, 51);
    expect(params).toEqual([1, 2, "t", "k", "u", "m", "r", "ok", "chat", 3, 4, 51]);
    expect([...sql.matchAll(/\$(\d+)/g)].map((m) => Number(m[1]))).toEqual(params.map((_, i) => i + 1));
    expect(sql).toMatch(/\(u\.created_at, u\.id\) < \(\$10, \$11\)/);
    expect(sql).toMatch(/LIMIT \$12$/);
  });

  it("leaves out the filters not given and the keyset bound on the first page", () => {
    const { sql, params } = requestLogSql({ from: 1, to: 2 }, null, 10);
    expect(params).toEqual([1, 2, 10]);
    expect(sql).not.toMatch(/u\.id\) </);
  });
});
