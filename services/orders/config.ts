// The orders service's environment: common variables, database, internal auth and idempotency settings.
import { z } from "zod";
import { jwksEnv } from "../../lib/auth/jwks-env.ts";
import { commonEnv, databaseEnv } from "../../lib/config/env.ts";

export const ordersEnv = z.object({
  ...commonEnv(8081),
  ...databaseEnv,
  INTERNAL_AUTH_JWKS: jwksEnv.describe("JWKS (JSON) with the gateway's public key(s) for internal tokens"),
  IDEMPOTENCY_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(30 * 24 * 3600)
    .default(24 * 3600)
    .describe("How long Idempotency-Key records are kept"),
});
export type OrdersConfig = z.infer<typeof ordersEnv>;
