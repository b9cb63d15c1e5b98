// Orders entrypoint: reads env, opens the database and the transport, starts the service, handles signals.
import { loadConfigOrExit } from "../../lib/config/env.ts";
import { createLogger } from "../../lib/logging/logger.ts";
import { stdoutSink } from "../../lib/logging/stdout-sink.ts";
import { openServiceConnections } from "../../lib/messaging/open-service-messaging.ts";
import { exitIfVersionFlag, runEntrypoint } from "../../lib/serve/entrypoint.ts";
import { VERSION } from "../../lib/version.ts";
import { ordersEnv } from "./config.ts";
import { startOrders } from "./start.ts";

const SERVICE = "orders";
exitIfVersionFlag(SERVICE, VERSION);
const cfg = loadConfigOrExit(SERVICE, ordersEnv, process.env);
const log = createLogger({ service: SERVICE, level: cfg.LOG_LEVEL, sink: stdoutSink });

runEntrypoint({
  log,
  drainDelayMs: cfg.DRAIN_DELAY_MS,
  graceMs: cfg.SHUTDOWN_GRACE_MS,
  start: async (opened) => {
    log.info("starting", { version: VERSION, port: cfg.PORT, embedded_database: !cfg.DATABASE_URL, nats: Boolean(cfg.NATS_URL) });
    const { db, transport } = await openServiceConnections(SERVICE, cfg, log, opened);
    return startOrders(cfg, { log, db, transport });
  },
});
