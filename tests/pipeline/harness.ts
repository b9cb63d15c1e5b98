// Test harness: the event pipeline as deployed (orders and notifications processes, their own temp databases, a private broker) with probes.
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { generateDevKeyPair } from "../../lib/auth/dev-keys.ts";
import { createInternalTokenMinter, type InternalTokenMinter } from "../../lib/auth/internal-token.ts";
import { migrate } from "../../lib/db/migrate.ts";
import { createSql, type Sql } from "../../lib/db/postgres.ts";
import { silentLogger } from "../../lib/logging/logger.ts";
import { createEmbeddedTransport } from "../../lib/messaging/embedded/transport.ts";
import { createJetStreamTransport } from "../../lib/messaging/jetstream/transport.ts";
import { ORDERS_STREAM } from "../../lib/messaging/topology.ts";
import type { ConsumerLag, Transport } from "../../lib/messaging/types.ts";
import { privateNatsServer, until } from "../../lib/testing/nats-server.ts";
import { type ServiceProcess, startService } from "../../lib/testing/service-process.ts";
import { createTempDatabase } from "../../lib/testing/temp-database.ts";
import { migrations as notificationsMigrations } from "../../services/notifications/migrations/index.ts";
import { CONSUMER_NAME } from "../../services/notifications/start.ts";
import { countRows } from "../../services/notifications/testing/process-broker.ts";
import { migrations as ordersMigrations } from "../../services/orders/migrations/index.ts";
import { tapWire } from "./wire-tap.ts";

export type PipelineKind = "jetstream" | "embedded";

/** Events per test run; PIPELINE_N=5000 makes every test a bigger (slower) run. */
export const PIPELINE_N = Number(process.env.PIPELINE_N ?? 300);
/** A per-test time limit that grows with PIPELINE_N. */
export const timeLimit = (baseMs: number, perEventMs = 10) => baseMs + PIPELINE_N * perEventMs;

export interface Counts {
  orders: number;
  outbox: number;
  /** Outbox rows neither published nor dead. */
  unpublished: number;
  dead: number;
  notifications: number;
  processed: number;
  /** Messages stored in the ORDERS stream. */
  stream: number;
}

/** The services' entrypoints, relative to the repository root. */
export const MAINS = { orders: "services/orders/main.ts", notifications: "services/notifications/main.ts" } as const;

/**
 * Two temp databases (orders, notifications) and a private broker: a nats-server of our own (JetStream), or a third temp
 * database both processes share through BROKER_DATABASE_URL (the embedded transport across processes). Both services'
 * migrations are applied up front, so tests can insert outbox rows before any process runs.
 */
export async function startPipeline(
  kind: PipelineKind,
  prefix: string,
  opts: {
    tap?: boolean;
    /** JetStream: these servers (e.g. a cluster's URLs, comma-separated) instead of a private nats-server. */
    natsUrl?: string;
    /** JetStream: NATS_STREAM_REPLICAS for the harness and the processes (default 1). */
    replicas?: number;
  } = {},
) {
  const ordersDb = await createTempDatabase(`${prefix}_orders`);
  const notificationsDb = await createTempDatabase(`${prefix}_notif`);
  const brokerDb = kind === "embedded" ? await createTempDatabase(`${prefix}_broker`) : undefined;
  const nats = kind === "jetstream" && !opts.natsUrl ? await privateNatsServer() : undefined;
  const natsUrl = kind === "jetstream" ? (opts.natsUrl ?? nats?.url) : undefined;
  const replicas = opts.replicas ?? 1;
  const orders = createSql(ordersDb.url, { max: 4, applicationName: "pipeline-test" });
  const notifications = createSql(notificationsDb.url, { max: 4, applicationName: "pipeline-test" });
  const brokerSql = brokerDb ? createSql(brokerDb.url, { max: 2, applicationName: "pipeline-test" }) : undefined;
  await migrate(orders, ordersMigrations, { log: silentLogger });
  await migrate(notifications, notificationsMigrations, { log: silentLogger });
  const transport: Transport = natsUrl
    ? await createJetStreamTransport({ url: natsUrl, name: "pipeline-test", streamReplicas: replicas })
    : await createEmbeddedTransport({ sql: brokerSql as Sql });
  await transport.ensureStream(ORDERS_STREAM);
  // JetStream: what the relays publish is watched on the wire; the embedded broker's tables show it directly.
  const tap = natsUrl && opts.tap ? await tapWire(natsUrl, "orders.>", ORDERS_STREAM.name) : undefined;

  const keys = await generateDevKeyPair();
  const mint: InternalTokenMinter = await createInternalTokenMinter(keys.privateJwk);
  // Empty = unset for the services' config: nothing from the test runner's environment leaks into the broker choice.
  const common = {
    INTERNAL_AUTH_JWKS: JSON.stringify(keys.jwks),
    LOG_LEVEL: "info",
    DRAIN_DELAY_MS: "0",
    SHUTDOWN_GRACE_MS: "10000",
    NATS_URL: natsUrl ?? "",
    NATS_STREAM_REPLICAS: String(replicas),
    BROKER_DATABASE_URL: brokerDb?.url ?? "",
    OTEL_EXPORTER_OTLP_ENDPOINT: "",
  };
  const ordersEnv = (extra: Record<string, string> = {}) => ({ ...common, DATABASE_URL: ordersDb.url, ...extra });
  const notificationsEnv = (extra: Record<string, string> = {}) => ({ ...common, DATABASE_URL: notificationsDb.url, ...extra });
  const started: ServiceProcess[] = [];
  const start = async (main: string, env: Record<string, string>) => {
    const svc = await startService([process.execPath, main], env, { timeoutMs: 30_000 });
    started.push(svc);
    return svc;
  };

  const streamMessages = async (): Promise<number> => {
    if (brokerSql) {
      const [row] = await brokerSql<{ n: number }[]>`SELECT count(*)::int AS n FROM broker.messages WHERE stream = ${ORDERS_STREAM.name}`;
      return row?.n ?? 0;
    }
    const nc = await connect({ servers: (natsUrl ?? "").split(",") });
    try {
      return (await (await jetstreamManager(nc)).streams.info(ORDERS_STREAM.name)).state.messages;
    } finally {
      await nc.close();
    }
  };

  const lastSeq = async () =>
    Number((await (brokerSql as Sql)<{ n: string }[]>`SELECT last_seq AS n FROM broker.streams WHERE name = ${ORDERS_STREAM.name}`)[0]?.n ?? 0);

  const counts = async (): Promise<Counts> => {
    const [o] = await orders<Omit<Counts, "notifications" | "processed" | "stream">[]>`
      SELECT (SELECT count(*) FROM orders)::int AS orders, count(*)::int AS outbox,
             (count(*) FILTER (WHERE published_at IS NULL AND dead_at IS NULL))::int AS unpublished,
             (count(*) FILTER (WHERE dead_at IS NOT NULL))::int AS dead
        FROM outbox`;
    return {
      ...(o as Omit<Counts, "notifications" | "processed" | "stream">),
      notifications: await countRows(notifications, "notifications"),
      processed: await countRows(notifications, "processed_events"),
      stream: await streamMessages(),
    };
  };

  /** Polls until `check(counts)` holds; the error names `what` and the last counts. */
  const waitFor = async (what: string, check: (c: Counts) => boolean, ms: number): Promise<Counts> => {
    let last: Counts | undefined;
    try {
      await until(
        async () => {
          last = await counts();
          return check(last);
        },
        ms,
        what,
      );
    } catch (err) {
      throw new Error(`${(err as Error).message}; last counts ${JSON.stringify(last)}`);
    }
    return last as Counts;
  };

  return {
    nats,
    mint,
    /** The orders and notifications databases, for assertions and direct outbox writes (pools of 4). */
    sql: { orders, notifications },
    urls: { orders: ordersDb.url, notifications: notificationsDb.url },
    transport,
    tap,
    /**
     * Resolves at the broker's next publish on ORDERS, or after `ms`. JetStream needs `tap`: with it, a publish is
     * seen when the server routes it; the embedded broker is polled (every 2 ms) for a new sequence.
     */
    async nextPublish(ms: number): Promise<void> {
      if (tap) return Promise.race([tap.nextPublish(), Bun.sleep(ms)]);
      if (!brokerSql) throw new Error("nextPublish on JetStream needs startPipeline(..., { tap: true })");
      const from = await lastSeq();
      const end = Date.now() + ms;
      while (Date.now() < end && (await lastSeq()) === from) await Bun.sleep(2);
    },
    /** Which of `eventIds` the broker received (JetStream: seen on the wire by `tap`; embedded: stored). */
    async reachedBroker(eventIds: string[]): Promise<string[]> {
      if (tap) return eventIds.filter((id) => tap.publishes.has(id));
      if (!brokerSql) throw new Error("reachedBroker on JetStream needs startPipeline(..., { tap: true })");
      const rows = await brokerSql<{ id: string }[]>`
        SELECT msg_id AS id FROM broker.messages WHERE stream = ${ORDERS_STREAM.name} AND msg_id = ANY(${eventIds}::text[])`;
      return rows.map((r) => r.id);
    },
    /** Each service's complete environment in this pipeline, plus `extra`. */
    env: { orders: ordersEnv, notifications: notificationsEnv },
    /** Starts an orders process (extra env e.g. { OUTBOX_RELAY_ENABLED: "false" }); its output is kept in memory. */
    startOrders: (extra: Record<string, string> = {}) => start(MAINS.orders, ordersEnv(extra)),
    startNotifications: (extra: Record<string, string> = {}) => start(MAINS.notifications, notificationsEnv(extra)),
    counts,
    /** Outbox rows neither published nor dead (needs no broker, unlike counts()). */
    unpublished: async () => (await orders<{ n: number }[]>`SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL AND dead_at IS NULL`)[0]?.n ?? 0,
    waitFor,
    consumerLag: (): Promise<ConsumerLag> => transport.consumerLag(ORDERS_STREAM.name, CONSUMER_NAME),
    /** Outbox event ids, in creation order. */
    outboxIds: async (which: "all" | "unpublished" = "all") =>
      (
        await orders<{ id: string }[]>`
          SELECT id::text AS id FROM outbox ${which === "unpublished" ? orders`WHERE published_at IS NULL AND dead_at IS NULL` : orders``} ORDER BY created_at`
      ).map((r) => r.id),
    notifiedEventIds: async () => (await notifications<{ id: string }[]>`SELECT event_id::text AS id FROM notifications`).map((r) => r.id),
    async close() {
      await tap?.close();
      for (const svc of started) if (svc.proc.exitCode === null && svc.proc.signalCode === null) await kill9(svc);
      await transport.close().catch(() => {});
      await nats?.dispose();
      await Promise.all([orders, notifications, brokerSql].map((s) => s?.end({ timeout: 1 })));
      for (const db of [ordersDb, notificationsDb, brokerDb]) await db?.drop();
    },
  };
}
export type Pipeline = Awaited<ReturnType<typeof startPipeline>>;

/** The consumer has nothing pending and nothing unacknowledged. */
export const isIdle = (lag: ConsumerLag): boolean => lag.pending === 0 && lag.ackPending === 0;

/** SIGKILL, then wait for the process to be gone. */
export async function kill9(svc: ServiceProcess): Promise<void> {
  svc.proc.kill("SIGKILL");
  await svc.proc.exited;
}

/** Log lines with `"msg":"<msg>"` a process wrote. */
export const logLines = (svc: ServiceProcess, msg: string): number => svc.output().split(`"msg":"${msg}"`).length - 1;

/**
 * Notifications on the webhook channel with a small window (8 per pull, 32 unacknowledged) and a 2 s ack wait, so what
 * a killed process held comes back soon; the webhook timeout stays within half the ack wait.
 */
export const WEBHOOK_WORKER_ENV = {
  NOTIFY_CHANNEL: "webhook",
  NOTIFY_WEBHOOK_TIMEOUT_MS: "1000",
  CONSUMER_BATCH: "8",
  CONSUMER_MAX_ACK_PENDING: "32",
  CONSUMER_ACK_WAIT_MS: "2000",
  CONSUMER_MAX_DELIVER: "10",
  RETRY_BASE_MS: "50",
};

export const randomBetween = (min: number, max: number) => min + Math.random() * (max - min);
