/**
 * Hand-written SQL on the Postgres pool, for the report queries. pg reads bigint and numeric as
 * strings (they can pass 2^53); every value here is an epoch ms, a count or a sum of micro-USD or
 * tokens, all far below 2^53, so they are read as numbers, as SQLite returns them.
 */
import pg from "pg";
import { getPgDb } from "../client-pg";

const INT8 = 20;
const NUMERIC = 1700;

/** Readers of a column's text by type OID, in place of pg's own. */
export type Parsers = Record<number, (text: string) => unknown>;

function typesWith(parsers: Parsers): pg.CustomTypesConfig {
  return {
    getTypeParser: ((oid: number, format?: "text" | "binary") => parsers[oid] ?? pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig["getTypeParser"],
  };
}

const NUMBERS: Parsers = { [INT8]: Number, [NUMERIC]: Number };
const numbers = typesWith(NUMBERS);

/** Rows as objects keyed by column name. */
export async function queryRows<T>(text: string, values: unknown[]): Promise<T[]> {
  return (await getPgDb().$client.query({ text, values, types: numbers })).rows as T[];
}

/** Rows as arrays in select-list order; `parsers` reads more types than bigint and numeric. */
export async function queryArrays(text: string, values: unknown[], parsers?: Parsers): Promise<unknown[][]> {
  const types = parsers ? typesWith({ ...NUMBERS, ...parsers }) : numbers;
  return (await getPgDb().$client.query({ text, values, types, rowMode: "array" })).rows as unknown[][];
}

/**
 * Builds a parameter list and hands out its placeholders: `p(value)` appends the value and
 * returns "$n" for it, so SQL and values cannot fall out of step.
 */
export function params(): { values: unknown[]; p(value: unknown): string } {
  const values: unknown[] = [];
  return { values, p: (value) => `$${values.push(value)}` };
}
