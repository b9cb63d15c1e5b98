// Inference process, loaded by main.ts: reads env (the registry is checked here, every problem listed), starts the service, handles signals.
import { loadConfigOrExit } from "../../lib/config/env.ts";
import { createLogger } from "../../lib/logging/logger.ts";
import { stdoutSink } from "../../lib/logging/stdout-sink.ts";
import { runEntrypoint } from "../../lib/serve/entrypoint.ts";
import { startTracingOrExit } from "../../lib/telemetry/tracing.ts";
import { VERSION } from "../../lib/version.ts";
import { inferenceEnv } from "./config.ts";
import { startInference } from "./start.ts";

const SERVICE = "inference";
const cfg = loadConfigOrExit(SERVICE, inferenceEnv, process.env);
const logOptions = { service: SERVICE, level: cfg.LOG_LEVEL, sink: stdoutSink };
// OTEL_* from the env; the tracing goes to the app (server and GenAI spans) and the backend clients, its context to the logger.
const tracing = await startTracingOrExit(SERVICE, VERSION, process.env, { log: createLogger(logOptions) });
const log = createLogger({ ...logOptions, context: tracing.logContext });

runEntrypoint({
  log,
  drainDelayMs: cfg.DRAIN_DELAY_MS,
  graceMs: cfg.SHUTDOWN_GRACE_MS,
  // After everything else, so spans of the shutdown are exported too.
  last: [tracing.closer],
  start: async () => {
    log.info("starting", { version: VERSION, port: cfg.PORT, models: Object.keys(cfg.INFERENCE_MODELS) });
    return startInference(cfg, { log, tracing });
  },
});
