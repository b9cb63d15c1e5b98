// The notifications schema migrations, embedded in the binary as text (never read from disk at run time).
import m0001 from "./0001_notifications.sql" with { type: "text" };
import m0002 from "./0002_delivery_claims.sql" with { type: "text" };

export const migrations = [
  { name: "0001_notifications.sql", sql: m0001 },
  { name: "0002_delivery_claims.sql", sql: m0002 },
];
