// Notifications process, loaded by main.ts: reads env, opens the database and the transport, starts the service, handles signals.
import { loadConfigOrExit } from "../../lib/config/env.ts";
import { createBatchedSink } from "../../lib/logging/batched-sink.ts";
import { createLogger } from "../../lib/logging/logger.ts";
import { stdoutSink } from "../../lib/logging/stdout-sink.ts";
import { openServiceConnections } from "../../lib/messaging/open-service-messaging.ts";
import { runEntrypoint } from "../../lib/serve/entrypoint.ts";
import { startTracingOrExit } from "../../lib/telemetry/tracing.ts";
import { VERSION } from "../../lib/version.ts";
import { notificationsEnv } from "./config.ts";
import { startNotifications } from "./start.ts";

const SERVICE = "notifications";
const cfg = loadConfigOrExit(SERVICE, notificationsEnv, process.env);
// One write per few milliseconds instead of one per line: the log channel writes a line per event.
const output = createBatchedSink(stdoutSink);
process.on("exit", output.flush);
const logOptions = { service: SERVICE, level: cfg.LOG_LEVEL, sink: output.sink };
// OTEL_* from the env; the tracing is passed to what makes spans, and its context to the logger (tracing's own lines need none).
const tracing = await startTracingOrExit(SERVICE, VERSION, process.env, { log: createLogger(logOptions) });
const log = createLogger({ ...logOptions, context: tracing.logContext });

runEntrypoint({
  log,
  drainDelayMs: cfg.DRAIN_DELAY_MS,
  graceMs: cfg.SHUTDOWN_GRACE_MS,
  // Spans after the connections are closed (so those of the shutdown are exported too), the log last.
  last: [tracing.closer, { name: "log", close: async () => output.flush() }],
  start: async (opened) => {
    log.info("starting", { version: VERSION, port: cfg.PORT, embedded_database: !cfg.DATABASE_URL, nats: Boolean(cfg.NATS_URL) });
    const { db, transport } = await openServiceConnections(SERVICE, cfg, log, opened, tracing);
    return startNotifications(cfg, { log, db, transport, tracing });
  },
});
