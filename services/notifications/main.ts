// Notifications entrypoint: reads env, opens the database and the transport, starts the service, handles signals.
import { loadConfigOrExit } from "../../lib/config/env.ts";
import { openDatabase } from "../../lib/db/database.ts";
import { createSql } from "../../lib/db/postgres.ts";
import { createBatchedSink } from "../../lib/logging/batched-sink.ts";
import { createLogger } from "../../lib/logging/logger.ts";
import { stdoutSink } from "../../lib/logging/stdout-sink.ts";
import { openTransport } from "../../lib/messaging/open-transport.ts";
import { type Closer, createShutdown, onTerminationSignals } from "../../lib/serve/shutdown.ts";
import { notificationsEnv } from "./config.ts";
import { startNotifications } from "./start.ts";
import { VERSION } from "./version.ts";

const SERVICE = "notifications";

if (process.argv.includes("--version")) {
  console.log(`${SERVICE} ${VERSION}`);
  process.exit(0);
}

const cfg = loadConfigOrExit(SERVICE, notificationsEnv, process.env);
// One write per few milliseconds instead of one per line: the log channel writes a line per event.
const output = createBatchedSink(stdoutSink);
process.on("exit", output.flush);
const log = createLogger({ service: SERVICE, level: cfg.LOG_LEVEL, sink: output.sink });

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
  const brokerUrl = cfg.BROKER_DATABASE_URL;
  const brokerSql = brokerUrl ? createSql(brokerUrl, { max: 4, applicationName: `${SERVICE}-broker` }) : undefined;
  if (brokerSql) opened.push({ name: "broker database", close: () => brokerSql.end({ timeout: 5 }) });
  const transport = await openTransport({ natsUrl: cfg.NATS_URL, brokerSql: () => brokerSql ?? db.sql, name: SERVICE, log });
  opened.push({ name: "transport", close: () => transport.close() });

  const svc = await startNotifications(cfg, { log, db, transport });
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
