// Counts how much of a postgres.js pool is in use (db_pool_* metrics) and bounds how long work waits for a connection: postgres.js has neither.
import { createAcquireGate } from "./acquire-gate.ts";
import { PoolAcquireTimeout } from "./db-errors.ts";
import type { Sql } from "./postgres.ts";

export interface PoolUsage {
  /** Pool size (postgres.js `max`). */
  readonly max: number;
  /** Connections running a query or transaction (or held by `sql.reserve()`) now, at most `max`. */
  busy(): number;
  /** Queries, transactions and reserve() calls waiting for a connection now. */
  waiting(): number;
}

export interface PoolUsageOptions {
  /**
   * Longest wait for a connection when all `max` are in use, in ms (0: no limit). Past it the query, `sql.begin` or
   * `sql.reserve()` rejects with PoolAcquireTimeout (classified as database unavailable, so the request gets a 503),
   * without having reached the database.
   */
  acquireTimeoutMs?: number;
}

/** The parts of postgres.js's Query (src/query.js) this module relies on; not in its public types. */
interface QueryInternals {
  handler: ((q: QueryInternals) => unknown) & { debug?: unknown };
  resolve: (x: unknown) => void;
  reject: (x: unknown) => void;
}

/**
 * Wraps a pool so that at most `max` operations use it at once and the rest wait in a queue with a deadline.
 * postgres.js keeps its connection queues (open, busy, full…) private and lets a query wait for a connection without
 * limit (behind transactions holding every connection, e.g. all blocked by a table lock), so this works at the pool's
 * entry points instead, through a Proxy:
 *
 * - a query made with `sql\`…\``, `sql.unsafe` or `sql.file` takes a place when postgres.js hands it to the pool (its
 *   internal `query.handler(query)` call, made when the query is awaited or executed — a fragment used inside another
 *   query never is) and gives it back when it resolves or rejects (the `query.resolve` / `query.reject` it calls);
 * - `sql.begin(…)` holds one place for the whole transaction (its statements run on the reserved connection);
 * - `sql.reserve()` holds one from acquisition until `release()`.
 *
 * With at most `max` operations at once every one finds a connection, so the only wait is here, where it is bounded.
 * (postgres.js would otherwise pipeline a query beyond `max` onto a busy connection, behind whatever that runs.)
 * Relies on postgres.js 3.x internals (`Query#handler`, `resolve`, `reject`); lib/db/pool-usage.test.ts fails if they
 * change.
 */
export function trackPoolUsage(sql: Sql, opts: PoolUsageOptions = {}): { sql: Sql; usage: PoolUsage } {
  const max = Number(sql.options.max) || 1;
  const waitMs = opts.acquireTimeoutMs ?? 0;
  const gate = createAcquireGate(max, waitMs);
  const refused = () => new PoolAcquireTimeout(waitMs, max);
  /** Resolves with the place's release, or rejects with PoolAcquireTimeout. */
  const take = () => new Promise<() => void>((resolve, reject) => gate.acquire(resolve, () => reject(refused())));

  const track = <T>(result: T): T => {
    if (!(result instanceof Promise)) return result; // Identifier / Builder helpers are not queries
    const q = result as unknown as QueryInternals;
    const handler = q.handler;
    if (typeof handler !== "function") return result;
    const counted = (query: QueryInternals) => {
      let settled = false;
      let place: (() => void) | undefined;
      const { resolve, reject } = query;
      const settle = () => {
        settled = true;
        place?.();
        place = undefined;
      };
      query.resolve = (x) => {
        settle();
        resolve(x);
      };
      query.reject = (x) => {
        settle();
        reject(x);
      };
      gate.acquire(
        (release) => {
          // Cancelled (query.cancel()) while it waited: it never reaches postgres.js.
          if (settled) return release();
          place = release;
          handler(query);
        },
        () => query.reject(refused()),
      );
    };
    counted.debug = handler.debug;
    q.handler = counted;
    return result;
  };

  const unsafe: Sql["unsafe"] = (...args) => track(sql.unsafe(...args));
  const file = ((...args: unknown[]) => track((sql.file as (...a: unknown[]) => unknown)(...args))) as Sql["file"];
  const begin = (async (...args: unknown[]) => {
    const release = await take();
    try {
      return await (sql.begin as (...a: unknown[]) => Promise<unknown>)(...args);
    } finally {
      release();
    }
  }) as Sql["begin"];
  const reserve: Sql["reserve"] = async () => {
    const release = await take();
    let reserved: Awaited<ReturnType<Sql["reserve"]>>;
    try {
      reserved = await sql.reserve();
    } catch (err) {
      release();
      throw err;
    }
    const giveBack = reserved.release;
    reserved.release = () => {
      giveBack(); // the connection back to postgres.js first, so the next waiter finds it free
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
  return { sql: proxy, usage: { max, busy: gate.inUse, waiting: gate.waiting } };
}
