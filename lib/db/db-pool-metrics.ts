// db_pool_max_connections and db_pool_busy_connections from a pool's usage counter (lib/db/pool-usage.ts).

import type { GaugeSeries, Registry } from "../metrics/registry.ts";
import type { PoolUsage } from "./pool-usage.ts";

export function registerDbPoolMetrics(registry: Registry, pool: PoolUsage): void {
  registry.gauge({ name: "db_pool_max_connections", help: "Size of the PostgreSQL connection pool" }).labels().set(pool.max);
  const busy: GaugeSeries = registry
    .gauge({
      name: "db_pool_busy_connections",
      help: "PostgreSQL pool connections running a query or transaction now (waiting queries included, capped at the pool size)",
      collect: () => busy.set(pool.busy()),
    })
    .labels();
}
