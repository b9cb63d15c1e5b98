// startNotifications on given connections: topology and durable consumer ensured, probes, closers in order, the consumer switch.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { generateDevKeyPair } from "../../lib/auth/dev-keys.ts";
import { parseEnv } from "../../lib/config/env.ts";
import type { Database } from "../../lib/db/database.ts";
import { createSql } from "../../lib/db/postgres.ts";
import { silentLogger } from "../../lib/logging/logger.ts";
import { createMemoryTransport } from "../../lib/messaging/testing/memory-transport.ts";
import { DLQ_STREAM, ORDERS_STREAM } from "../../lib/messaging/topology.ts";
import { BrokerUnavailableError, type ConsumerConfig, type StreamConfig, type Transport } from "../../lib/messaging/types.ts";
import { freePort } from "../../lib/testing/service-process.ts";
import { createTempDatabase } from "../../lib/testing/temp-database.ts";
import { notificationsEnv } from "./config.ts";
import { startNotifications } from "./start.ts";
import { encodeEvent, orderPlaced } from "./testing/events.ts";
import { eventually } from "./testing/worker-harness.ts";
import { DEAD_LETTER_SPARE_DELIVERIES } from "./worker/consumer.ts";

describe("startNotifications [postgres]", () => {
  let temp: Awaited<ReturnType<typeof createTempDatabase>>;
  let db: Database;
  const keys = generateDevKeyPair();
  const config = async (env: Record<string, string> = {}) =>
    parseEnv("notifications", notificationsEnv, { INTERNAL_AUTH_JWKS: JSON.stringify((await keys).jwks), PORT: String(await freePort()), ...env });
  /** The memory transport, remembering what was ensured. */
  const recording = () => {
    const inner = createMemoryTransport();
    const streams: StreamConfig[] = [];
    const consumers: ConsumerConfig[] = [];
    const t: Transport = {
      ...inner,
      ensureStream: (c) => {
        streams.push(c);
        return inner.ensureStream(c);
      },
      ensureConsumer: (c) => {
        consumers.push(c);
        return inner.ensureConsumer(c);
      },
    };
    return { t, streams, consumers };
  };

  beforeAll(async () => {
    temp = await createTempDatabase("notif_start");
    const sql = createSql(temp.url, { max: 4 });
    db = { sql, embedded: false, close: () => sql.end({ timeout: 1 }) };
  });
  afterAll(async () => {
    await db.close();
    await temp.drop();
  });

  test("ensures ORDERS, DLQ and the durable consumer, consumes, reports readiness, and closes the consumer first", async () => {
    const { t, streams, consumers } = recording();
    const cfg = await config({ CONSUMER_MAX_DELIVER: "4", CONSUMER_ACK_WAIT_MS: "20000", CONSUMER_BATCH: "64", CONSUMER_MAX_ACK_PENDING: "500" });
    const svc = await startNotifications(cfg, { log: silentLogger, db, transport: t });
    try {
      await eventually(() => consumers.length === 1, 5_000, "set up in the background");
      expect(streams.map((s) => s.name)).toEqual([ORDERS_STREAM.name, DLQ_STREAM.name]);
      expect(consumers).toEqual([
        {
          stream: "ORDERS",
          durable: "notifications",
          filterSubjects: ["orders.>"],
          ackWaitMs: 20_000,
          maxDeliver: 4 + DEAD_LETTER_SPARE_DELIVERIES,
          maxAckPending: 500,
        },
      ]);
      const e = orderPlaced("started");
      await t.publish({ subject: "orders.placed", id: e.id, data: encodeEvent(e) });
      await eventually(async () => (await db.sql`SELECT 1 FROM notifications WHERE event_id = ${e.id}`).length === 1, 5_000, "consumed");
      const ready = await fetch(`http://127.0.0.1:${svc.listener.port}/readyz`);
      expect(await ready.json()).toEqual({ status: "ok", checks: { database: "ok", broker: "ok", consumer: "ok" } });
      expect(svc.closers.map((c) => c.name)).toEqual(["consumer", "backlog metrics", "process metrics"]);
    } finally {
      for (const c of svc.closers) await c.close();
      await svc.listener.stop(true);
    }
  });

  test("CONSUMER_ENABLED=false: the API and probes only; no consumer, only the metrics sampler to close", async () => {
    const { t, consumers } = recording();
    const svc = await startNotifications(await config({ CONSUMER_ENABLED: "false" }), { log: silentLogger, db, transport: t });
    try {
      expect(consumers).toEqual([]);
      expect(svc.closers.map((c) => c.name)).toEqual(["process metrics"]);
      expect(svc.health.started).toBe(true);
      expect((await svc.health.checkDependencies()).checks).toEqual({ database: "ok", broker: "ok" });
    } finally {
      for (const c of svc.closers) await c.close();
      await svc.listener.stop(true);
    }
  });

  test("the broker away at start: the service starts and is ready, the detail names the stream; the consumer starts once it is back", async () => {
    const { t, consumers } = recording();
    let refusals = 3;
    const away: Transport = {
      ...t,
      ensureStream: (c) => (refusals-- > 0 ? Promise.reject(new BrokerUnavailableError(`stream ${c.name} unavailable: timeout`)) : t.ensureStream(c)),
      ping: () => (refusals > 0 ? Promise.reject(new BrokerUnavailableError("NATS not reachable")) : Promise.resolve()),
    };
    const svc = await startNotifications(await config(), { log: silentLogger, db, transport: away });
    try {
      const url = `http://127.0.0.1:${svc.listener.port}`;
      const early = await fetch(`${url}/readyz`);
      expect(early.status).toBe(200);
      expect(await early.json()).toEqual({
        status: "degraded",
        checks: { database: "ok", broker: "NATS not reachable", consumer: "stream ORDERS unavailable: timeout" },
      });
      expect(consumers).toEqual([]);
      await eventually(() => consumers.length === 1, 10_000, "consumer set up after the broker came back");
      const e = orderPlaced("late");
      await t.publish({ subject: "orders.placed", id: e.id, data: encodeEvent(e) });
      await eventually(async () => (await db.sql`SELECT 1 FROM notifications WHERE event_id = ${e.id}`).length === 1, 5_000, "consumed");
      expect(await (await fetch(`${url}/readyz`)).json()).toEqual({ status: "ok", checks: { database: "ok", broker: "ok", consumer: "ok" } });
      expect(await (await fetch(`${url}/metrics`)).text()).toContain('messaging_ready{component="consumer"} 1');
    } finally {
      for (const c of svc.closers) await c.close();
      await svc.listener.stop(true);
    }
  });

  test("a database that cannot be migrated: startup throws and the listener is stopped again", async () => {
    const broken = createSql("postgres://postgres@127.0.0.1:1/none", { max: 1, connectTimeoutSeconds: 1 });
    const cfg = await config();
    const err = await startNotifications(cfg, {
      log: silentLogger,
      db: { sql: broken, embedded: false, close: async () => {} },
      transport: createMemoryTransport(),
    }).catch((e) => e);
    expect(err).toBeInstanceOf(Error);
    const probe = await fetch(`http://127.0.0.1:${cfg.PORT}/healthz`).catch(() => undefined);
    expect(probe).toBeUndefined(); // the listener is gone
    await broken.end({ timeout: 1 });
  });
});
