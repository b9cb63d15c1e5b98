// Starts the gateway on what its entrypoint prepared (config, logger, dev issuer keys, NATS KV): app, listener, warm key cache.
import type { KV } from "@nats-io/kv";
import type { Logger, LogSink } from "../../lib/logging/logger.ts";
import { startProcessMetrics } from "../../lib/metrics/process-metrics.ts";
import { listenStarting, type StartingListener } from "../../lib/serve/listen.ts";
import type { RunningService } from "../../lib/serve/running-service.ts";
import { startingAnswer } from "../../lib/serve/starting-listener.ts";
import type { Tracing } from "../../lib/telemetry/tracer.ts";
import contract from "../../openapi/gateway.json" with { type: "json" };
import { assembleGateway } from "./assemble.ts";
import { JwksMisconfiguredError } from "./auth/jwks-document.ts";
import type { GatewayConfig } from "./config.ts";
import type { OpenApiDocument } from "./contract/merge.ts";
import type { DevIssuerKeys } from "./dev-issuer/issuer.ts";

export interface GatewayResources {
  log: Logger;
  /** The sink behind `log`; access lines go to it directly (the fast path). */
  logSink?: LogSink;
  /** Required when cfg.DEV_ISSUER is on (main.ts and the dev runner load them from DATA_DIR). */
  devIssuer?: DevIssuerKeys;
  /** The shared rate-limit bucket when cfg.RATE_LIMIT_STORE=nats. */
  kv?: KV;
  /** From startTracing: server and upstream client spans when on (default: off). */
  tracing?: Tracing;
  /** Listening on cfg.PORT already (main.ts); otherwise the start listens itself. */
  listener?: StartingListener;
}

export async function startGateway(cfg: GatewayConfig, { log, logSink, devIssuer, kv, tracing, ...res }: GatewayResources): Promise<RunningService> {
  // A client waiting on a slow upstream sends and receives nothing: keep its connection open past the longest deadline.
  const longestDeadlineMs = Math.max(cfg.UPSTREAM_TIMEOUT_MS, ...Object.values(cfg.UPSTREAM_TIMEOUTS));
  const idleTimeoutSeconds = Math.min(255, Math.max(30, Math.ceil(longestDeadlineMs / 1000) + 5)); // Bun allows ≤ 255 s
  // Probes answer from the start (/healthz 200, /startupz and /readyz 503), everything else 503 until the gateway serves.
  const listener = res.listener ?? listenStarting({ port: cfg.PORT, whileStarting: startingAnswer, idleTimeoutSeconds });
  const { gateway, health, jwks } = await assembleGateway({ cfg, log, logSink, contract: contract as unknown as OpenApiDocument, devIssuer, kv, tracing });
  const processMetrics = startProcessMetrics(gateway.metrics.registry);
  // Warm the key cache so the first user request does not wait for the issuer. An unreachable issuer is retried on demand
  // (not ready meanwhile); a URL that answers something other than keys will not heal, so it stops the start instead of
  // leaving a ready-looking gateway that answers 503 to every call.
  await jwks.ensureLoaded().catch((err) => {
    if ((err as Error).cause instanceof JwksMisconfiguredError) {
      processMetrics.stop();
      void listener.stop(true);
      throw (err as Error).cause;
    }
    log.warn("issuer keys not loaded yet", { err: (err as Error).message });
  });
  listener.serve({ fetch: gateway.fetch, peerAddress: true, idleTimeoutSeconds, log });
  health.markStarted();
  log.info("ready", { port: listener.port, routes: gateway.routes.map((r) => `${r.prefix} → ${r.name}`) });
  return {
    name: "gateway",
    listener,
    health,
    closers: [{ name: "process metrics", close: async () => processMetrics.stop() }],
    interrupters: [{ name: "streams", interrupt: () => gateway.streams.stopAll() }],
  };
}
