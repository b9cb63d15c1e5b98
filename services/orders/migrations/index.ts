// The orders schema migrations, embedded in the binary as text (never read from disk at run time).
import m0001 from "./0001_orders.sql" with { type: "text" };
import m0002 from "./0002_outbox_due_index.sql" with { type: "text" };
import m0003 from "./0003_outbox_dead_index.sql" with { type: "text" };
import m0004 from "./0004_outbox_relay_lease.sql" with { type: "text" };

export const migrations = [
  { name: "0001_orders.sql", sql: m0001 },
  { name: "0002_outbox_due_index.sql", sql: m0002 },
  { name: "0003_outbox_dead_index.sql", sql: m0003 },
  { name: "0004_outbox_relay_lease.sql", sql: m0004 },
];
