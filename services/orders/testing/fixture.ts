// Test fixture: an orders app on a given database with real internal tokens, and a small client per customer.
import { generateDevKeyPair } from "../../../lib/auth/dev-keys.ts";
import { createInternalTokenMinter, createInternalTokenVerifier } from "../../../lib/auth/internal-token.ts";
import { migrate } from "../../../lib/db/migrate.ts";
import type { Sql } from "../../../lib/db/postgres.ts";
import { createHealth, type Health } from "../../../lib/health/health.ts";
import { silentLogger } from "../../../lib/logging/logger.ts";
import type { Registry } from "../../../lib/metrics/registry.ts";
import { createApp } from "../app.ts";
import { migrations } from "../migrations/index.ts";
import { createOrdersRepository } from "../orders/repository.ts";

export const DEFAULT_SCOPES = ["orders:read", "orders:write"];

export const sampleOrder = (sku = "BOOK-42") => ({
  currency: "EUR",
  items: [
    { sku, quantity: 2, unitPriceCents: 1250 },
    { sku: "PEN-1", quantity: 1, unitPriceCents: 199 },
  ],
});

export async function ordersFixture(sql: Sql, opts: { metrics?: Registry; health?: Health } = {}) {
  await migrate(sql, migrations, { log: silentLogger });
  const keys = await generateDevKeyPair();
  const mint = await createInternalTokenMinter(keys.privateJwk);
  const health = opts.health ?? createHealth();
  health.markStarted();
  const app = createApp({
    log: silentLogger,
    repo: createOrdersRepository(sql),
    verifyToken: createInternalTokenVerifier({ jwks: keys.jwks, audience: "orders" }),
    health,
    idempotencyTtlSeconds: 86_400,
    bodyLimitBytes: 64 * 1024,
    metrics: opts.metrics,
  });

  const client = async (subject: string, scopes: string[] = DEFAULT_SCOPES) => {
    const auth = `Bearer ${await mint({ audience: "orders", subject, scopes, ttlSeconds: 60 })}`;
    return {
      request: (path: string, init: RequestInit = {}) =>
        app.request(path, { ...init, headers: { authorization: auth, ...(init.headers as Record<string, string>) } }),
      post: (path: string, body?: unknown, key: string | null = crypto.randomUUID(), headers: Record<string, string> = {}) =>
        app.request(path, {
          method: "POST",
          body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
          headers: {
            authorization: auth,
            ...(body === undefined ? {} : { "content-type": "application/json" }),
            ...(key === null ? {} : { "idempotency-key": key }),
            ...headers,
          },
        }),
      get: (path: string) => app.request(path, { headers: { authorization: auth } }),
    };
  };

  const counts = async () => {
    const [row] = await sql`SELECT (SELECT count(*) FROM orders)::int AS orders, (SELECT count(*) FROM order_items)::int AS items,
      (SELECT count(*) FROM outbox)::int AS outbox, (SELECT count(*) FROM idempotency_keys)::int AS keys`;
    return row as { orders: number; items: number; outbox: number; keys: number };
  };

  return { app, client, counts, mint };
}
