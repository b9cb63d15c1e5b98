// Starts the notifications service on connections its entrypoint opened: app, listener, migrations, topology and the consumer.
import { createInternalTokenVerifier } from "../../lib/auth/internal-token.ts";
import type { Database } from "../../lib/db/database.ts";
import { registerDbPoolMetrics } from "../../lib/db/db-pool-metrics.ts";
import { migrate } from "../../lib/db/migrate.ts";
import { createHealth, type DependencyCheck } from "../../lib/health/health.ts";
import type { Closer } from "../../lib/lifecycle/closer.ts";
import type { Logger } from "../../lib/logging/logger.ts";
import { type BrokerSetup, brokerReadyGauge, startBrokerSetup } from "../../lib/messaging/broker-setup.ts";
import { DLQ_STREAM, ORDERS_STREAM } from "../../lib/messaging/topology.ts";
import type { Transport } from "../../lib/messaging/types.ts";
import { startProcessMetrics } from "../../lib/metrics/process-metrics.ts";
import { createRegistry } from "../../lib/metrics/registry.ts";
import { listenStarting, type StartingListener } from "../../lib/serve/listen.ts";
import type { PeriodicJob } from "../../lib/serve/periodic.ts";
import type { RunningService } from "../../lib/serve/running-service.ts";
import { startingAnswer } from "../../lib/serve/starting-listener.ts";
import type { Tracing } from "../../lib/telemetry/tracer.ts";
import { createApp } from "./app.ts";
import { createChannel } from "./channels/create-channel.ts";
import type { NotificationsConfig } from "./config.ts";
import { createDeadLetterReader } from "./dead-letters/dead-letter-reader.ts";
import { createReplayer } from "./dead-letters/replay.ts";
import { migrations } from "./migrations/index.ts";
import { createNotificationsRepository } from "./notifications/repository.ts";
import { startBacklogGauges } from "./worker/backlog-metrics.ts";
import { type RunningConsumer, startConsumer } from "./worker/consumer.ts";
import { createEventStore } from "./worker/event-store.ts";
import { createWorkerMetrics } from "./worker/worker-metrics.ts";

/** The durable consumer's name: its position on ORDERS, the processed_events key and the dead-letter subjects (dlq.notifications.>). */
export const CONSUMER_NAME = "notifications";

export interface NotificationsResources {
  log: Logger;
  db: Database;
  transport: Transport;
  /** From startTracing: server, worker and webhook spans when on (default: off); db and transport got it when opened. */
  tracing?: Tracing;
  /** Listening on cfg.PORT already (main.ts); otherwise the start listens itself. */
  listener?: StartingListener;
}

export async function startNotifications(cfg: NotificationsConfig, { log, db, transport, tracing, ...res }: NotificationsResources): Promise<RunningService> {
  // Probes answer from the start (/healthz 200, /startupz and /readyz 503), everything else 503 until the app serves.
  const listener = res.listener ?? listenStarting({ port: cfg.PORT, whileStarting: startingAnswer });
  const repo = createNotificationsRepository(db.sql);
  let consumer: RunningConsumer | undefined;
  let consumerSetup: BrokerSetup | undefined;
  const checks: Record<string, DependencyCheck> = { database: () => repo.ping(), broker: () => transport.ping() };
  if (cfg.CONSUMER_ENABLED) {
    checks.consumer = async () => {
      await consumerSetup?.check();
      if (consumer && !consumer.healthy) throw new Error("subscription lost; resubscribing");
    };
  }
  // Reported, never required: the broker and the consumer (the read API serves without them) and the database every
  // replica shares; a load balancer that pulled every replica for a shared outage would only add an HTTP outage to it.
  const health = createHealth(checks, { informational: ["database", "broker", "consumer"] });
  const source = { transport, stream: DLQ_STREAM.name, consumer: CONSUMER_NAME, log: log.child({ component: "dead-letters" }) };
  const reader = createDeadLetterReader(source);
  const metrics = createRegistry();
  const processMetrics = startProcessMetrics(metrics);
  if (db.pool) registerDbPoolMetrics(metrics, db.pool);
  const app = createApp({
    log,
    metrics,
    repo,
    deadLetters: reader,
    replayer: createReplayer({ ...source, reader }),
    verifyToken: createInternalTokenVerifier({ jwks: cfg.INTERNAL_AUTH_JWKS, audience: "notifications" }),
    health,
    bodyLimitBytes: cfg.BODY_LIMIT_BYTES,
    tracing,
  });

  const closers: Closer[] = [];
  try {
    const { applied } = await migrate(db.sql, migrations, { log });
    log.info("migrations done", { applied: applied.length });
    if (cfg.CONSUMER_ENABLED) {
      // In the background: the service starts and serves while the broker (or the stream's node) is away.
      let backlog: PeriodicJob | undefined;
      const workerMetrics = createWorkerMetrics(metrics);
      const setup = startBrokerSetup(
        "consumer",
        async () => {
          consumer = await startConsumer({
            transport,
            store: createEventStore(db.sql, CONSUMER_NAME),
            channel: createChannel(cfg, tracing),
            log: log.child({ component: "worker" }),
            source: ORDERS_STREAM,
            dlq: DLQ_STREAM,
            durable: CONSUMER_NAME,
            maxDeliver: cfg.CONSUMER_MAX_DELIVER,
            ackWaitMs: cfg.CONSUMER_ACK_WAIT_MS,
            batch: cfg.CONSUMER_BATCH,
            maxAckPending: cfg.CONSUMER_MAX_ACK_PENDING,
            retry: { baseMs: cfg.RETRY_BASE_MS, maxMs: cfg.RETRY_MAX_MS },
            metrics: workerMetrics,
            tracing,
          });
          backlog = startBacklogGauges(metrics, { transport, stream: ORDERS_STREAM.name, durable: CONSUMER_NAME, dlq: DLQ_STREAM.name }, log);
        },
        { log, gauge: brokerReadyGauge(metrics, "consumer") },
      );
      consumerSetup = setup;
      await setup.firstAttempt;
      // First on shutdown: stop pulling and let in-flight messages finish and be acknowledged.
      closers.push(
        {
          name: "consumer",
          close: async () => {
            await setup.stop();
            await consumer?.stop();
          },
        },
        { name: "backlog metrics", close: async () => backlog?.stop() },
      );
    }
  } catch (err) {
    await listener.stop(true);
    processMetrics.stop();
    throw err;
  }
  listener.serve({ fetch: app.fetch, log });
  health.markStarted();
  log.info("ready", { port: listener.port, consumer: cfg.CONSUMER_ENABLED, channel: cfg.NOTIFY_CHANNEL, transport: transport.kind });
  closers.push({ name: "process metrics", close: async () => processMetrics.stop() });
  return { name: "notifications", listener, health, closers };
}
