// Counts how much of a postgres.js pool is in use, for the db_pool_* metrics: postgres.js exposes no pool statistics.
import type { Sql } from "./postgres.ts";

export interface PoolUsage {
  /** Pool size (postgres.js `max`). */
  readonly max: number;
  /** Connections running a query or transaction (or held by `sql.reserve()`) now, at most `max`. */
  busy(): number;
}

/** The parts of postgres.js's Query (src/query.js) this module relies on; not in its public types. */
interface QueryInternals {
  handler: ((q: QueryInternals) => unknown) & { debug?: unknown };
  resolve: (x: unknown) => void;
  reject: (x: unknown) => void;
}

/**
 * Wraps a pool so it counts operations in flight. postgres.js keeps its connection queues (open, busy, full…)
 * private, so this counts at the pool's entry points instead, through a Proxy that changes no behaviour:
 *
 * - a query made with `sql\`…\``, `sql.unsafe` or `sql.file` counts from the moment postgres.js hands it to the
 *   pool (its internal `query.handler(query)` call, made when the query is awaited or executed — a fragment used
 *   inside another query never is) until it resolves or rejects (the `query.resolve` / `query.reject` it calls);
 * - `sql.begin(…)` counts once for the whole transaction (its statements run on the reserved connection);
 * - `sql.reserve()` counts from acquisition until `release()`.
 *
 * Queries waiting for a free connection count too, so `busy()` is capped at `max`: busy == max means saturated.
 * Pipelined queries on one connection count once each (an over-estimate, within the cap). Relies on postgres.js 3.x
 * internals (`Query#handler`, `resolve`, `reject`); lib/db/pool-usage.test.ts fails if they change.
 */
export function trackPoolUsage(sql: Sql): { sql: Sql; usage: PoolUsage } {
  const max = Number(sql.options.max) || 1;
  let inFlight = 0;

  const settleOnce = () => {
    let done = false;
    return () => {
      if (!done) {
        done = true;
        inFlight--;
      }
    };
  };
  const track = <T>(result: T): T => {
    if (!(result instanceof Promise)) return result; // Identifier / Builder helpers are not queries
    const q = result as unknown as QueryInternals;
    const handler = q.handler;
    if (typeof handler !== "function") return result;
    const counted = (query: QueryInternals) => {
      inFlight++;
      const settle = settleOnce();
      const { resolve, reject } = query;
      query.resolve = (x) => {
        settle();
        resolve(x);
      };
      query.reject = (x) => {
        settle();
        reject(x);
      };
      return handler(query);
    };
    counted.debug = handler.debug;
    q.handler = counted;
    return result;
  };

  const unsafe: Sql["unsafe"] = (...args) => track(sql.unsafe(...args));
  const file = ((...args: unknown[]) => track((sql.file as (...a: unknown[]) => unknown)(...args))) as Sql["file"];
  const begin = (async (...args: unknown[]) => {
    inFlight++;
    try {
      return await (sql.begin as (...a: unknown[]) => Promise<unknown>)(...args);
    } finally {
      inFlight--;
    }
  }) as Sql["begin"];
  const reserve: Sql["reserve"] = async () => {
    const reserved = await sql.reserve();
    inFlight++;
    const settle = settleOnce();
    const release = reserved.release;
    reserved.release = () => {
      settle();
      release();
    };
    return reserved;
  };

  const proxy = new Proxy(sql, {
    apply: (target, thisArg, args) => track(Reflect.apply(target, thisArg, args)),
    get(target, prop, receiver) {
      if (prop === "unsafe") return unsafe;
      if (prop === "file") return file;
      if (prop === "begin") return begin;
      if (prop === "reserve") return reserve;
      return Reflect.get(target, prop, receiver);
    },
  });
  return { sql: proxy, usage: { max, busy: () => Math.min(max, Math.max(0, inFlight)) } };
}
