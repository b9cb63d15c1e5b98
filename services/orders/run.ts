// Orders process, loaded by main.ts: reads env, opens the database and the transport, starts the service, handles signals.
import { loadConfigOrExit } from "../../lib/config/env.ts";
import { createLogger } from "../../lib/logging/logger.ts";
import { stdoutSink } from "../../lib/logging/stdout-sink.ts";
import { openServiceConnections } from "../../lib/messaging/open-service-messaging.ts";
import { runEntrypoint } from "../../lib/serve/entrypoint.ts";
import { startTracingOrExit } from "../../lib/telemetry/tracing.ts";
import { VERSION } from "../../lib/version.ts";
import { ordersEnv } from "./config.ts";
import { startOrders } from "./start.ts";

const SERVICE = "orders";
const cfg = loadConfigOrExit(SERVICE, ordersEnv, process.env);
const logOptions = { service: SERVICE, level: cfg.LOG_LEVEL, sink: stdoutSink };
// OTEL_* from the env; the tracing is passed to what makes spans, and its context to the logger (tracing's own lines need none).
const tracing = await startTracingOrExit(SERVICE, VERSION, process.env, { log: createLogger(logOptions) });
const log = createLogger({ ...logOptions, context: tracing.logContext });

runEntrypoint({
  log,
  drainDelayMs: cfg.DRAIN_DELAY_MS,
  graceMs: cfg.SHUTDOWN_GRACE_MS,
  // After the connections are closed, so spans of the shutdown are exported too.
  last: [tracing.closer],
  start: async (opened) => {
    log.info("starting", { version: VERSION, port: cfg.PORT, embedded_database: !cfg.DATABASE_URL, nats: Boolean(cfg.NATS_URL) });
    const { db, transport } = await openServiceConnections(SERVICE, cfg, log, opened, tracing);
    return startOrders(cfg, { log, db, transport, tracing });
  },
});
