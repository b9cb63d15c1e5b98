// GET /metrics of notifications as start.ts wires it: every family after real traffic (processed, dead-lettered, lag), valid for promtool.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { METRIC_FAMILIES } from "../../deploy/metrics-contract.ts";
import { generateDevKeyPair } from "../../lib/auth/dev-keys.ts";
import { createInternalTokenMinter } from "../../lib/auth/internal-token.ts";
import { parseEnv } from "../../lib/config/env.ts";
import { type Database, openDatabase } from "../../lib/db/database.ts";
import { silentLogger } from "../../lib/logging/logger.ts";
import { createEmbeddedTransport } from "../../lib/messaging/embedded/transport.ts";
import type { Transport } from "../../lib/messaging/types.ts";
import { PROCESS_CLOCK_FAMILIES } from "../../lib/metrics/process-metrics.ts";
import type { RunningService } from "../../lib/serve/running-service.ts";
import { sampleValue, scrapeUntil } from "../../lib/testing/metrics-text.ts";
import { promtoolCheckMetrics } from "../../lib/testing/promtool.ts";
import { freePort } from "../../lib/testing/service-process.ts";
import { createTempDatabase } from "../../lib/testing/temp-database.ts";
import { notificationsEnv } from "./config.ts";
import { startNotifications } from "./start.ts";
import { encodeEvent, orderPlaced } from "./testing/events.ts";

describe("notifications /metrics [postgres]", () => {
  let temp: Awaited<ReturnType<typeof createTempDatabase>>;
  let db: Database;
  let transport: Transport;
  let svc: RunningService;
  let base: string;
  let token: string;
  beforeAll(async () => {
    temp = await createTempDatabase("notif_metrics");
    db = await openDatabase({ databaseUrl: temp.url, dataDir: "/nonexistent", service: "notifications", max: 4 });
    transport = await createEmbeddedTransport({ sql: db.sql, pollIntervalMs: 10 });
    const keys = await generateDevKeyPair();
    const cfg = parseEnv("notifications", notificationsEnv, { INTERNAL_AUTH_JWKS: JSON.stringify(keys.jwks), PORT: String(await freePort()) });
    svc = await startNotifications(cfg, { log: silentLogger, db, transport });
    base = `http://127.0.0.1:${svc.listener.port}`;
    const mint = await createInternalTokenMinter(keys.privateJwk);
    token = await mint({ audience: "notifications", subject: "alice", scopes: ["notifications:read"], ttlSeconds: 60 });
  }, 60_000);
  afterAll(async () => {
    for (const c of svc?.closers ?? []) await c.close();
    await svc?.listener.stop(true);
    await transport?.close();
    await db?.close();
    await temp?.drop();
  });

  const scrape = async () => {
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    return res.text();
  };

  test("after events (one processed, one dead-lettered) and API calls, every family is there and promtool accepts it", async () => {
    const e = orderPlaced("alice");
    await transport.publish({ subject: "orders.placed", id: e.id, data: encodeEvent(e) });
    await transport.publish({ subject: "orders.placed", id: crypto.randomUUID(), data: new TextEncoder().encode("not json") });
    expect((await fetch(`${base}/v1/notifications`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    expect((await fetch(`${base}/v1/notifications`)).status).toBe(401);

    // Counters move as the worker settles; the gauges follow at the next sample (every 5 s). A sample reads the consumer's
    // lag and the dead-letter count as two separate queries, so one taken while the worker settles can show the dead
    // letter and still the two events pending (seen once in CI): the wait is for every gauge asserted below.
    const settled = (t: string) =>
      sampleValue(t, "notifications_dead_letters") === 1 &&
      sampleValue(t, "notifications_consumer_pending") === 0 &&
      sampleValue(t, "notifications_consumer_ack_pending") === 0;
    const text = await scrapeUntil(scrape, settled, 15_000, 100);

    for (const name of [...METRIC_FAMILIES.notifications, ...PROCESS_CLOCK_FAMILIES]) expect(text).toContain(`# TYPE ${name} `);
    expect(sampleValue(text, 'notifications_events_processed_total{outcome="processed"}')).toBe(1);
    expect(sampleValue(text, 'notifications_events_processed_total{outcome="dead_lettered"}')).toBe(1);
    expect(sampleValue(text, "notifications_dead_letters_total")).toBe(1);
    expect(sampleValue(text, "notifications_dead_letters")).toBe(1);
    expect(sampleValue(text, "notifications_consumer_pending")).toBe(0);
    expect(sampleValue(text, "notifications_consumer_ack_pending")).toBe(0);
    expect(sampleValue(text, "notifications_handler_duration_seconds_count")).toBe(2);
    expect(sampleValue(text, "db_pool_max_connections")).toBe(4);
    expect(text).toContain('http_requests_total{method="GET",route="/v1/notifications",status="401"} 1');
    expect(await promtoolCheckMetrics(text)).toEqual({ ok: true, output: "" });
  }, 30_000);
});
