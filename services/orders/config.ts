// The orders service's environment: common variables, database, messaging, internal auth, idempotency and relay settings.
import { z } from "zod";
import { jwksEnv } from "../../lib/auth/jwks-env.ts";
import { commonEnv, databaseEnv, messagingEnv } from "../../lib/config/env.ts";
import { DEFAULT_PORTS } from "../../lib/serve/starting-listener.ts";

export const ordersEnv = z.object({
  ...commonEnv(DEFAULT_PORTS.orders),
  ...databaseEnv,
  ...messagingEnv,
  INTERNAL_AUTH_JWKS: jwksEnv.describe("JWKS (JSON) with the gateway's public key(s) for internal tokens"),
  IDEMPOTENCY_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(30 * 24 * 3600)
    .default(24 * 3600)
    .describe("How long Idempotency-Key records are kept"),
  OUTBOX_RELAY_ENABLED: z.stringbool().default(true).describe("Run the outbox relay in this process (one leader at a time across replicas)"),
  OUTBOX_RELAY_BATCH_SIZE: z.coerce.number().int().min(1).max(5_000).default(256).describe("Outbox rows published per relay transaction"),
  OUTBOX_RELAY_LEASE_MS: z.coerce
    .number()
    .int()
    .min(100)
    .max(300_000)
    .default(10_000)
    .describe("Relay leadership lease: a leader killed without releasing it is replaced after at most this long"),
  OUTBOX_RETENTION_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 90)
    .default(168)
    .describe("Published outbox rows are kept this long (for replay), then deleted"),
});
export type OrdersConfig = z.infer<typeof ordersEnv>;
