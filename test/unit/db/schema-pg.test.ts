import { readFileSync } from "node:fs";
import { join } from "node:path";
import { getTableColumns, getTableName, is, type Column, type SQL } from "drizzle-orm";
import { getTableConfig as pgConfig, PgDialect, PgTable } from "drizzle-orm/pg-core";
import { getTableConfig as sqliteConfig, SQLiteSyncDialect, SQLiteTable } from "drizzle-orm/sqlite-core";
import { describe, expect, it } from "vitest";
import * as pgSchema from "@/db/schema-pg";
import * as sqliteSchema from "@/db/schema";

const sqliteTables = Object.values(sqliteSchema).filter((t: unknown): t is SQLiteTable => is(t, SQLiteTable));
const pgTables = Object.values(pgSchema).filter((t: unknown): t is PgTable => is(t, PgTable));
const pgByName = new Map(pgTables.map((t) => [getTableName(t), t]));

const sqliteSql = new SQLiteSyncDialect();
const pgSql = new PgDialect();

/** What a column reads as in JS. SQLite's timestamp_ms and the Postgres epoch-ms custom type are both Dates. */
function jsKind(c: Column): string {
  if (c.columnType === "PgCustomColumn") return c.getSQLType() === "bigint" ? "date" : c.getSQLType();
  return c.dataType;
}

function describeColumn(c: Column) {
  return {
    name: c.name,
    kind: jsKind(c),
    notNull: c.notNull,
    primary: c.primary,
    default: c.default,
    unique: c.isUnique,
    uniqueName: c.uniqueName,
    enumValues: c.enumValues,
  };
}

function columnsByKey(t: SQLiteTable | PgTable) {
  return Object.fromEntries(Object.entries(getTableColumns(t)).map(([key, c]) => [key, describeColumn(c)]));
}

/** The comment lines right above each index declaration in a schema file, by index name. */
function indexComments(file: string): Record<string, string> {
  const lines = readFileSync(file, "utf8").split("\n");
  const out: Record<string, string> = {};
  lines.forEach((line, i) => {
    const m = /\b(?:uniqueIndex|index)\("([^"]+)"\)/.exec(line);
    if (!m) return;
    const comment: string[] = [];
    for (let j = i - 1; j >= 0 && lines[j]!.trim().startsWith("//"); j--) comment.unshift(lines[j]!.trim());
    out[m[1]!] = comment.join("\n");
  });
  return out;
}

describe("the Postgres schema", () => {
  it("has exactly the SQLite tables", () => {
    expect(pgTables.map(getTableName).sort()).toEqual(sqliteTables.map(getTableName).sort());
    expect(sqliteTables.length).toBeGreaterThan(10);
  });

  describe.each(sqliteTables.map((t) => [getTableName(t), t] as const))("%s", (name, sqliteTable) => {
    const pgTable = pgByName.get(name)!;
    const s = sqliteConfig(sqliteTable);
    const p = pgConfig(pgTable);

    it("has the same columns under the same TS keys, with the same nullability, keys and defaults", () => {
      expect(columnsByKey(pgTable)).toEqual(columnsByKey(sqliteTable));
    });

    it("has the same composite primary key", () => {
      const cols = (pk: { columns: Column[] }) => pk.columns.map((c) => c.name);
      expect(p.primaryKeys.map(cols)).toEqual(s.primaryKeys.map(cols));
    });

    it("has the same foreign keys", () => {
      const fk = (f: { reference(): { columns: Column[]; foreignColumns: Column[] }; onDelete?: string }) => {
        const r = f.reference();
        return {
          columns: r.columns.map((c) => c.name),
          foreignTable: getTableName(r.foreignColumns[0]!.table),
          foreignColumns: r.foreignColumns.map((c) => c.name),
          onDelete: f.onDelete,
        };
      };
      expect(p.foreignKeys.map(fk)).toEqual(s.foreignKeys.map(fk));
    });

    it("has the same indexes: names, columns in order, uniqueness and partial conditions", () => {
      const sIdx = s.indexes.map((i) => ({
        name: i.config.name,
        columns: i.config.columns.map((c) => (c as Column).name),
        unique: i.config.unique,
        where: i.config.where ? sqliteSql.sqlToQuery(i.config.where as SQL).sql : null,
      }));
      const pIdx = p.indexes.map((i) => ({
        name: i.config.name,
        columns: i.config.columns.map((c) => (c as Column).name),
        unique: i.config.unique,
        where: i.config.where ? pgSql.sqlToQuery(i.config.where).sql : null,
      }));
      expect(pIdx).toEqual(sIdx);
    });
  });

  it("keeps each index's comment, saying which query it serves", () => {
    const root = join(__dirname, "../../../db");
    const files = readFileSync(join(root, "schema/index.ts"), "utf8").match(/"\.\/[^"]+"/g)!.map((f) => f.slice(3, -1) + ".ts");
    for (const file of files) {
      const sqlite = indexComments(join(root, "schema", file));
      expect(indexComments(join(root, "schema-pg", file)), file).toEqual(sqlite);
    }
  });
});
