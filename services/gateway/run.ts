// Gateway process, loaded by main.ts: reads env, loads the dev issuer's keys, connects NATS when asked, starts the gateway, handles signals.
import type { KV } from "@nats-io/kv";
import { loadOrCreateKeyFile } from "../../lib/auth/dev-key-file.ts";
import { loadConfigOrExit } from "../../lib/config/env.ts";
import type { Closer } from "../../lib/lifecycle/closer.ts";
import { createBatchedSink } from "../../lib/logging/batched-sink.ts";
import { createLogger } from "../../lib/logging/logger.ts";
import { stdoutSink } from "../../lib/logging/stdout-sink.ts";
import { runEntrypoint } from "../../lib/serve/entrypoint.ts";
import { startTracingOrExit } from "../../lib/telemetry/tracing.ts";
import { VERSION } from "../../lib/version.ts";
import { gatewayEnv, tokenIdentity } from "./config.ts";
import { DEV_ISSUER_KEY_FILE, type DevIssuerKeys, generateDevIssuerKeys } from "./dev-issuer/issuer.ts";
import { startGateway } from "./start.ts";

const SERVICE = "gateway";
const RATE_LIMIT_BUCKET = "gateway_rate_limits";

const cfg = loadConfigOrExit(SERVICE, gatewayEnv, process.env);
// One access-log line per request: batched, so a busy gateway makes one write per few milliseconds, not one per line.
const output = createBatchedSink(stdoutSink);
process.on("exit", output.flush);
const logOptions = { service: SERVICE, level: cfg.LOG_LEVEL, sink: output.sink };
// OTEL_* from the env; the tracing is passed to what makes spans, and its context to the logger (tracing's own lines need none).
const tracing = await startTracingOrExit(SERVICE, VERSION, process.env, { log: createLogger(logOptions) });
const log = createLogger({ ...logOptions, context: tracing.logContext });

async function openRateLimitStore(opened: Closer[]): Promise<KV> {
  const [{ connect }, { openRateLimitBucket }] = await Promise.all([import("@nats-io/transport-node"), import("./ratelimit/rate-limit-bucket.ts")]);
  // Reconnect forever (the default gives up after 10 tries): a node lost for a while must not end the shared budget for good.
  const nc = await connect({ servers: (cfg.NATS_URL ?? "").split(","), name: SERVICE, maxReconnectAttempts: -1 });
  opened.push({ name: "nats", close: () => nc.drain() });
  return openRateLimitBucket(nc, RATE_LIMIT_BUCKET, { policies: Object.values(cfg.RATE_LIMITS), replicas: cfg.NATS_STREAM_REPLICAS, log });
}

runEntrypoint({
  log,
  drainDelayMs: cfg.DRAIN_DELAY_MS,
  graceMs: cfg.SHUTDOWN_GRACE_MS,
  // Spans after the connections are closed (so those of the shutdown are exported too), the log last.
  last: [tracing.closer, { name: "log", close: async () => output.flush() }],
  start: async (opened) => {
    const { issuer, audience } = tokenIdentity(cfg);
    log.info("starting", { version: VERSION, port: cfg.PORT, issuer, audience, dev_issuer: cfg.DEV_ISSUER, rate_limit_store: cfg.RATE_LIMIT_STORE });
    let devIssuer: DevIssuerKeys | undefined;
    if (cfg.DEV_ISSUER) {
      devIssuer = await loadOrCreateKeyFile(`${cfg.DATA_DIR}/${DEV_ISSUER_KEY_FILE}`, () => generateDevIssuerKeys());
      log.warn("DEV ISSUER ENABLED: anyone with the key file under DATA_DIR can mint accepted tokens; never run this in production", { issuer });
    }
    const kv = cfg.RATE_LIMIT_STORE === "nats" ? await openRateLimitStore(opened) : undefined;
    return startGateway(cfg, { log, logSink: output.sink, devIssuer, kv, tracing });
  },
});
