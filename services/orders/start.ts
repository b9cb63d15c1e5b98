// Starts the orders service on connections its entrypoint opened: app, listener, migrations, relay and housekeeping.
import { createInternalTokenVerifier } from "../../lib/auth/internal-token.ts";
import type { Database } from "../../lib/db/database.ts";
import { registerDbPoolMetrics } from "../../lib/db/db-pool-metrics.ts";
import { migrate } from "../../lib/db/migrate.ts";
import { createHealth } from "../../lib/health/health.ts";
import type { Closer } from "../../lib/lifecycle/closer.ts";
import type { Logger } from "../../lib/logging/logger.ts";
import { type BrokerSetup, brokerReadyGauge, startBrokerSetup } from "../../lib/messaging/broker-setup.ts";
import { ORDERS_STREAM } from "../../lib/messaging/topology.ts";
import type { Transport } from "../../lib/messaging/types.ts";
import { startProcessMetrics } from "../../lib/metrics/process-metrics.ts";
import { createRegistry } from "../../lib/metrics/registry.ts";
import { listenStarting, type StartingListener } from "../../lib/serve/listen.ts";
import type { RunningService } from "../../lib/serve/running-service.ts";
import { startingAnswer } from "../../lib/serve/starting-listener.ts";
import type { Tracing } from "../../lib/telemetry/tracer.ts";
import { createApp } from "./app.ts";
import type { OrdersConfig } from "./config.ts";
import { startIdempotencySweeper } from "./idempotency/sweeper.ts";
import { migrations } from "./migrations/index.ts";
import { createOrdersRepository } from "./orders/repository.ts";
import { createRelayMetrics, startOutboxGauges } from "./outbox/outbox-metrics.ts";
import { startRelay } from "./outbox/relay.ts";
import { startOutboxRetention } from "./outbox/retention.ts";

export interface OrdersResources {
  log: Logger;
  db: Database;
  transport: Transport;
  /** From startTracing: server spans when on (default: off); db and transport got it when they were opened. */
  tracing?: Tracing;
  /** Listening on cfg.PORT already (main.ts); otherwise the start listens itself. */
  listener?: StartingListener;
}

export async function startOrders(cfg: OrdersConfig, { log, db, transport, tracing, ...res }: OrdersResources): Promise<RunningService> {
  // Probes answer from the start (/healthz 200, /startupz and /readyz 503), everything else 503 until the app serves.
  const listener = res.listener ?? listenStarting({ port: cfg.PORT, whileStarting: startingAnswer });
  const repo = createOrdersRepository(db.sql);
  let relay: ReturnType<typeof startRelay> | undefined;
  let relaySetup: BrokerSetup | undefined;
  // Reported, never required: the broker and relay (orders go into the outbox while they are away, the relay catches
  // up) and the database every replica shares (its outage answers 503/504 per request, not "no replica ready").
  const health = createHealth(
    { database: () => repo.ping(), broker: () => transport.ping(), ...(cfg.OUTBOX_RELAY_ENABLED ? { relay: async () => relaySetup?.check() } : {}) },
    { informational: ["database", "broker", "relay"] },
  );
  const metrics = createRegistry();
  const processMetrics = startProcessMetrics(metrics);
  if (db.pool) registerDbPoolMetrics(metrics, db.pool);
  const relayMetrics = createRelayMetrics(metrics);
  const app = createApp({
    log,
    metrics,
    repo,
    health,
    verifyToken: createInternalTokenVerifier({ jwks: cfg.INTERNAL_AUTH_JWKS, audience: "orders" }),
    idempotencyTtlSeconds: cfg.IDEMPOTENCY_TTL_SECONDS,
    bodyLimitBytes: cfg.BODY_LIMIT_BYTES,
    onOutboxWrite: () => relay?.wake(),
    tracing,
  });

  try {
    const { applied } = await migrate(db.sql, migrations, { log });
    log.info("migrations done", { applied: applied.length });
  } catch (err) {
    await listener.stop(true);
    processMetrics.stop();
    throw err;
  }
  const closers: Closer[] = [];
  if (cfg.OUTBOX_RELAY_ENABLED) {
    // The producer owns its stream's definition; applying it is idempotent across replicas and restarts. In the
    // background: the service takes orders while the broker is away, and the relay starts once the stream is there.
    const setup = startBrokerSetup("relay", () => transport.ensureStream(ORDERS_STREAM), { log, gauge: brokerReadyGauge(metrics, "relay") });
    relaySetup = setup;
    let closed = false;
    void setup.done.then(() => {
      if (closed) return;
      relay = startRelay({
        sql: db.sql,
        transport,
        log: log.child({ component: "relay" }),
        batchSize: cfg.OUTBOX_RELAY_BATCH_SIZE,
        leaseMs: cfg.OUTBOX_RELAY_LEASE_MS,
        metrics: relayMetrics,
        stream: ORDERS_STREAM,
      });
      relay.wake();
    });
    await setup.firstAttempt;
    closers.push({
      name: "outbox relay",
      close: async () => {
        closed = true;
        await setup.stop();
        await relay?.stop();
      },
    });
  }
  const sweeper = startIdempotencySweeper(db.sql, log);
  const retention = startOutboxRetention(db.sql, log, cfg.OUTBOX_RETENTION_HOURS * 3600_000);
  const outboxGauges = startOutboxGauges(metrics, db.sql, log);
  closers.push(
    { name: "idempotency sweeper", close: () => sweeper.stop() },
    { name: "outbox retention", close: () => retention.stop() },
    { name: "outbox metrics", close: () => outboxGauges.stop() },
  );
  listener.serve({ fetch: app.fetch, log });
  health.markStarted();
  log.info("ready", { port: listener.port, relay: cfg.OUTBOX_RELAY_ENABLED, transport: transport.kind });
  closers.push({ name: "process metrics", close: async () => processMetrics.stop() });
  return { name: "orders", listener, health, closers };
}
