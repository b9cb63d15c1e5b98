// db_pool_max_connections, db_pool_busy_connections and db_pool_pending_requests from a pool's usage counter (lib/db/pool-usage.ts).

import type { GaugeSeries, Registry } from "../metrics/registry.ts";
import type { PoolUsage } from "./pool-usage.ts";

export function registerDbPoolMetrics(registry: Registry, pool: PoolUsage): void {
  registry.gauge({ name: "db_pool_max_connections", help: "Size of the PostgreSQL connection pool" }).labels().set(pool.max);
  const busy: GaugeSeries = registry
    .gauge({
      name: "db_pool_busy_connections",
      help: "PostgreSQL pool connections running a query or transaction now (at most the pool size; work beyond it waits for one)",
      collect: () => busy.set(pool.busy()),
    })
    .labels();
  const pending: GaugeSeries = registry
    .gauge({
      name: "db_pool_pending_requests",
      help: "Queries, transactions and reserve() calls waiting for a free PostgreSQL pool connection now (refused after DATABASE_ACQUIRE_TIMEOUT_MS)",
      collect: () => pending.set(pool.waiting()),
    })
    .labels();
}
