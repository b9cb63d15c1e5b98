// Test fixture: a notifications app on a given database and transport with real internal tokens, and a small client per caller.
import { generateDevKeyPair } from "../../../lib/auth/dev-keys.ts";
import { createInternalTokenMinter, createInternalTokenVerifier } from "../../../lib/auth/internal-token.ts";
import { migrate } from "../../../lib/db/migrate.ts";
import type { Sql } from "../../../lib/db/postgres.ts";
import { createHealth } from "../../../lib/health/health.ts";
import { silentLogger } from "../../../lib/logging/logger.ts";
import { createMemoryTransport } from "../../../lib/messaging/testing/memory-transport.ts";
import { DLQ_STREAM } from "../../../lib/messaging/topology.ts";
import type { Transport } from "../../../lib/messaging/types.ts";
import { createApp } from "../app.ts";
import { createDeadLetterReader } from "../dead-letters/dead-letter-reader.ts";
import { createReplayer } from "../dead-letters/replay.ts";
import { migrations } from "../migrations/index.ts";
import { createNotificationsRepository } from "../notifications/repository.ts";
import { CONSUMER_NAME } from "../start.ts";
import { createEventStore, type NotificationRecord } from "../worker/event-store.ts";

export const READ = ["notifications:read"];
export const ADMIN = ["notifications:admin"];

export async function notificationsFixture(sql: Sql, transport: Transport = createMemoryTransport()) {
  await migrate(sql, migrations, { log: silentLogger });
  await transport.ensureStream(DLQ_STREAM);
  const keys = await generateDevKeyPair();
  const mint = await createInternalTokenMinter(keys.privateJwk);
  const health = createHealth();
  health.markStarted();
  const source = { transport, stream: DLQ_STREAM.name, consumer: CONSUMER_NAME, log: silentLogger };
  const reader = createDeadLetterReader(source);
  const app = createApp({
    log: silentLogger,
    repo: createNotificationsRepository(sql),
    deadLetters: reader,
    replayer: createReplayer({ ...source, reader }),
    verifyToken: createInternalTokenVerifier({ jwks: keys.jwks, audience: "notifications" }),
    health,
  });

  const client = async (subject: string, scopes: string[] = READ) => {
    const auth = `Bearer ${await mint({ audience: "notifications", subject, scopes, ttlSeconds: 60 })}`;
    return {
      get: (path: string) => app.request(path, { headers: { authorization: auth } }),
      post: (path: string) => app.request(path, { method: "POST", headers: { authorization: auth } }),
    };
  };

  /** Records notifications for a customer as the worker would (newest last). */
  const store = createEventStore(sql, CONSUMER_NAME);
  const seed = async (customerId: string, n: number): Promise<string[]> => {
    const records: NotificationRecord[] = Array.from({ length: n }, (_, i) => ({
      id: Bun.randomUUIDv7(),
      eventId: Bun.randomUUIDv7(),
      customerId,
      orderId: Bun.randomUUIDv7(),
      type: "order.placed",
      title: "Order placed",
      message: `order ${i}`,
      channel: "log",
      eventTime: new Date().toISOString(),
      deliveryAttempts: 1,
      traceId: null,
    }));
    await store.record(records);
    return records.map((r) => r.id);
  };

  return { app, client, seed, transport, mint };
}
