/**
 * Column types shared by the Postgres tables, chosen so a row reads back exactly as it does from
 * SQLite, whose INTEGER is 64-bit and whose JSON columns are text parsed by drizzle.
 */
import { bigint, customType } from "drizzle-orm/pg-core";

/**
 * Epoch milliseconds and micro-USD: bigint, read as a JS number. int4 would overflow at 2^31 (an
 * epoch-ms instant already does), and mode "number" gives numbers like SQLite, not strings; both
 * stay far below 2^53.
 */
export const bigintNumber = (name: string) => bigint(name, { mode: "number" });

/**
 * The auth library's timestamps: stored as epoch ms in a bigint, as SQLite's timestamp_ms stores
 * them, and read as a Date. Raw SQL that compares them with a number of ms then means the same on
 * both databases, which a Postgres timestamp column would not.
 */
export const epochMsDate = customType<{ data: Date; driverData: string | number }>({
  dataType: () => "bigint",
  toDriver: (value) => value.getTime(),
  fromDriver: (value) => new Date(Number(value)),
});
