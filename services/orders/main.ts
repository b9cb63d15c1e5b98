// Orders entrypoint: reads env, opens the database and the transport, starts the service, handles signals.
import { loadConfigOrExit } from "../../lib/config/env.ts";
import { openDatabase } from "../../lib/db/database.ts";
import { createLogger } from "../../lib/logging/logger.ts";
import { stdoutSink } from "../../lib/logging/stdout-sink.ts";
import { openBrokerDatabase, openTransport } from "../../lib/messaging/open-transport.ts";
import { type Closer, createShutdown, onTerminationSignals } from "../../lib/serve/shutdown.ts";
import { ordersEnv } from "./config.ts";
import { startOrders } from "./start.ts";
import { VERSION } from "./version.ts";

const SERVICE = "orders";

if (process.argv.includes("--version")) {
  console.log(`${SERVICE} ${VERSION}`);
  process.exit(0);
}

const cfg = loadConfigOrExit(SERVICE, ordersEnv, process.env);
const log = createLogger({ service: SERVICE, level: cfg.LOG_LEVEL, sink: stdoutSink });

// Closed in reverse order of opening; until the server is up a signal just closes them and exits.
const opened: Closer[] = [];
let shutdown: ((reason: string) => Promise<number>) | undefined;
onTerminationSignals(async (reason) => {
  if (shutdown) return shutdown(reason);
  log.info("stopped during startup", { reason });
  for (const c of opened.reverse()) await c.close().catch(() => {});
  process.exit(0);
});

async function main() {
  log.info("starting", { version: VERSION, port: cfg.PORT, embedded_database: !cfg.DATABASE_URL, nats: Boolean(cfg.NATS_URL) });
  const db = await openDatabase({
    databaseUrl: cfg.DATABASE_URL,
    dataDir: cfg.DATA_DIR,
    service: SERVICE,
    log,
    max: cfg.DATABASE_POOL_MAX,
    statementTimeoutMs: cfg.DATABASE_STATEMENT_TIMEOUT_MS,
  });
  opened.push({ name: "database", close: () => db.close() });
  const broker = cfg.NATS_URL ? db : await openBrokerDatabase({ brokerUrl: cfg.BROKER_DATABASE_URL, service: db, dataDir: cfg.DATA_DIR, name: SERVICE, log });
  if (broker !== db) opened.push({ name: "broker database", close: () => broker.close() });
  const transport = await openTransport({ natsUrl: cfg.NATS_URL, brokerSql: () => broker.sql, name: SERVICE, log });
  opened.push({ name: "transport", close: () => transport.close() });

  const svc = await startOrders(cfg, { log, db, transport });
  shutdown = createShutdown({
    listeners: [svc.listener],
    healths: [svc.health],
    log,
    drainDelayMs: cfg.DRAIN_DELAY_MS,
    graceMs: cfg.SHUTDOWN_GRACE_MS,
    closers: [...svc.closers, ...opened.reverse()],
  });
}

main().catch((err) => {
  log.error("startup failed", { err: err instanceof Error ? err.message : String(err) });
  process.exit(1);
});
