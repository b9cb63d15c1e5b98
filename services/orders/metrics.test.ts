// GET /metrics of orders: valid for promtool, every family after real traffic, and bounded: many order ids add no series.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { METRIC_FAMILIES } from "../../deploy/metrics-contract.ts";
import { generateDevKeyPair } from "../../lib/auth/dev-keys.ts";
import { createInternalTokenMinter } from "../../lib/auth/internal-token.ts";
import { parseEnv } from "../../lib/config/env.ts";
import { type Database, openDatabase } from "../../lib/db/database.ts";
import { silentLogger } from "../../lib/logging/logger.ts";
import { createEmbeddedTransport } from "../../lib/messaging/embedded/transport.ts";
import type { Transport } from "../../lib/messaging/types.ts";
import { PROCESS_CLOCK_FAMILIES, type ProcessMetrics, startProcessMetrics } from "../../lib/metrics/process-metrics.ts";
import { createRegistry } from "../../lib/metrics/registry.ts";
import type { RunningService } from "../../lib/serve/running-service.ts";
import { describeEachDatabase } from "../../lib/testing/each-database.ts";
import { sampleValue, scrapeUntil, seriesOf } from "../../lib/testing/metrics-text.ts";
import { promtoolCheckMetrics } from "../../lib/testing/promtool.ts";
import { freePort } from "../../lib/testing/service-process.ts";
import { createTempDatabase } from "../../lib/testing/temp-database.ts";
import { ordersEnv } from "./config.ts";
import { startOrders } from "./start.ts";
import { ordersFixture, sampleOrder } from "./testing/fixture.ts";

describeEachDatabase("orders /metrics", (db) => {
  let f: Awaited<ReturnType<typeof ordersFixture>>;
  let pm: ProcessMetrics;
  beforeAll(async () => {
    const metrics = createRegistry();
    pm = startProcessMetrics(metrics); // as start.ts does
    f = await ordersFixture(db(), { metrics });
  });
  afterAll(() => pm.stop());

  const scrape = async () => {
    const res = await f.app.request("/metrics");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    return res.text();
  };

  test("after real traffic, promtool check metrics accepts the output", async () => {
    const alice = await f.client("alice");
    const placed = await alice.post("/v1/orders", sampleOrder());
    expect(placed.status).toBe(201);
    const { id } = await placed.json();
    expect((await alice.get(`/v1/orders/${id}`)).status).toBe(200);
    expect((await alice.get("/v1/orders?limit=5")).status).toBe(200);
    expect((await alice.post(`/v1/orders/${id}/cancel`)).status).toBe(200);
    expect((await f.app.request("/v1/orders")).status).toBe(401);
    expect((await f.app.request("/healthz")).status).toBe(200);
    expect((await f.app.request("/no/such/path")).status).toBe(404);

    const text = await scrape();
    for (const name of [
      "http_requests_total",
      "http_request_duration_seconds",
      "http_requests_in_flight",
      "process_resident_memory_bytes",
      "process_event_loop_lag_seconds",
    ])
      expect(text).toContain(`# TYPE ${name} `);
    expect(text).toContain('http_requests_total{method="GET",route="/v1/orders/:id",status="200"} 1');
    expect(text).toContain('http_requests_total{method="GET",route="unmatched",status="404"} 1');
    expect(text).not.toContain(id);
    expect(await promtoolCheckMetrics(text)).toEqual({ ok: true, output: "" });
  });

  test("1,000 requests for 1,000 different order ids add no series", async () => {
    const bob = await f.client("bob");
    // Warm up every (route, status) this test produces, so "before" already holds their series.
    const { id } = await (await bob.post("/v1/orders", sampleOrder())).json();
    expect((await bob.get(`/v1/orders/${id}`)).status).toBe(200);
    expect((await bob.get(`/v1/orders/${crypto.randomUUID()}`)).status).toBe(404);
    await scrape();

    const before = seriesOf(await scrape()).length;
    for (let i = 0; i < 1000; i++) {
      const res = await bob.get(`/v1/orders/${i % 10 === 0 ? id : crypto.randomUUID()}`);
      expect(res.status).toBe(i % 10 === 0 ? 200 : 404);
    }
    const text = await scrape();
    expect(seriesOf(text).length).toBe(before);
    expect(text).toMatch(/http_requests_total\{method="GET",route="\/v1\/orders\/:id",status="404"\} 90\d/);
  }, 60_000);
});

describe("orders /metrics as started by start.ts [postgres]", () => {
  let temp: Awaited<ReturnType<typeof createTempDatabase>>;
  let db: Database;
  let svc: RunningService;
  let transport: Transport;
  let base: string;
  let token: string;
  beforeAll(async () => {
    temp = await createTempDatabase("orders_metrics");
    db = await openDatabase({ databaseUrl: temp.url, dataDir: "/nonexistent", service: "orders", max: 3 });
    const keys = await generateDevKeyPair();
    const cfg = parseEnv("orders", ordersEnv, { INTERNAL_AUTH_JWKS: JSON.stringify(keys.jwks), PORT: String(await freePort()) });
    transport = await createEmbeddedTransport({ sql: db.sql });
    svc = await startOrders(cfg, { log: silentLogger, db, transport });
    base = `http://127.0.0.1:${svc.listener.port}`;
    const mint = await createInternalTokenMinter(keys.privateJwk);
    token = await mint({ audience: "orders", subject: "metrics", scopes: ["orders:read", "orders:write"], ttlSeconds: 60 });
  }, 60_000);
  afterAll(async () => {
    for (const c of svc?.closers ?? []) await c.close();
    await svc?.listener.stop(true);
    await transport?.close();
    await db?.close();
    await temp?.drop();
  });

  const place = (key: string, body: unknown) =>
    fetch(`${base}/v1/orders`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "idempotency-key": key },
      body: JSON.stringify(body),
    });

  test("every orders family after real traffic (relay, idempotency replay and conflict, pool), and promtool accepts it", async () => {
    const key = crypto.randomUUID();
    expect((await place(key, sampleOrder())).status).toBe(201);
    const replay = await place(key, sampleOrder());
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect((await place(key, sampleOrder("OTHER-1"))).status).toBe(422);

    const scrape = async () => (await fetch(`${base}/metrics`)).text();
    const text = await scrapeUntil(scrape, (t) => sampleValue(t, "orders_outbox_published_total") >= 1, 10_000);

    for (const name of [...METRIC_FAMILIES.orders, ...PROCESS_CLOCK_FAMILIES]) expect(text).toContain(`# TYPE ${name} `);
    expect(sampleValue(text, "orders_outbox_published_total")).toBe(1);
    expect(sampleValue(text, "orders_outbox_publish_failures_total")).toBe(0);
    expect(sampleValue(text, "orders_idempotency_replays_total")).toBe(1);
    expect(sampleValue(text, 'orders_idempotency_conflicts_total{reason="mismatch"}')).toBe(1);
    expect(sampleValue(text, 'orders_idempotency_conflicts_total{reason="in_flight"}')).toBe(0);
    expect(sampleValue(text, "db_pool_max_connections")).toBe(3);
    expect(sampleValue(text, "db_pool_busy_connections")).toBeGreaterThanOrEqual(0);
    expect(sampleValue(text, "orders_outbox_dead")).toBe(0);
    expect(text).toContain('http_requests_total{method="POST",route="/v1/orders",status="422"} 1');
    expect(await promtoolCheckMetrics(text)).toEqual({ ok: true, output: "" });
  }, 30_000);
});
