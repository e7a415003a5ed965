/**
 * Which database this process opened, and the query facades that follow it. Every query module
 * has a SQLite twin (db/queries-sqlite) and a Postgres twin (db/queries-pg) with the same
 * functions; db/queries/<x>.ts exports the facade, whose functions all return promises and call
 * the twin of the database in use. The Postgres twins are registered when a Postgres database is
 * opened, so a SQLite process never loads the `pg` driver.
 */
export type Dialect = "sqlite" | "pg";

type Fn = (...args: never[]) => unknown;
/** A module's functions, each returning a promise of what the SQLite one returns. */
export type Asynced<S> = {
  [K in keyof S as S[K] extends Fn ? K : never]: S[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;
};

const KEY = Symbol.for("switchyard.dialect");
type Holder = { [KEY]?: { dialect: Dialect; pg: Record<string, Record<string, unknown>> } };

function state() {
  return ((globalThis as Holder)[KEY] ??= { dialect: "sqlite", pg: {} });
}

export function currentDialect(): Dialect {
  return state().dialect;
}

/** Switches every facade to Postgres, with its twins by module name (`teams`, `usage`, …). */
export function usePostgres(modules: Record<string, Record<string, unknown>>): void {
  state().dialect = "pg";
  state().pg = modules;
}

export function useSqlite(): void {
  state().dialect = "sqlite";
}

/**
 * The facade of one module: each function calls the SQLite twin (its result, or what it throws,
 * handed back as a promise) or, on Postgres, the twin registered under `name`.
 */
export function facade<S extends Record<string, unknown>>(name: string, sqlite: S): Asynced<S> {
  const out: Record<string, unknown> = {};
  for (const [fn, impl] of Object.entries(sqlite)) {
    if (typeof impl !== "function") continue;
    out[fn] = (...args: unknown[]) => {
      const s = state();
      const run = s.dialect === "pg" ? s.pg[name]?.[fn] : impl;
      if (typeof run !== "function") return Promise.reject(new Error(`${name}.${fn} has no Postgres version`));
      // Whatever the twin does (answers, throws, returns a promise), the caller gets a promise.
      try {
        return Promise.resolve(run(...args));
      } catch (err) {
        return Promise.reject(err);
      }
    };
  }
  return out as Asynced<S>;
}
