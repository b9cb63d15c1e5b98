// Starts the inference service on its parsed config: app, first readiness round, listener, periodic readiness checks.

import type { Closer } from "../../lib/lifecycle/closer.ts";
import type { Logger, LogSink } from "../../lib/logging/logger.ts";
import { startProcessMetrics } from "../../lib/metrics/process-metrics.ts";
import { listenStarting, type StartingListener } from "../../lib/serve/listen.ts";
import { startPeriodic } from "../../lib/serve/periodic.ts";
import type { RunningService } from "../../lib/serve/running-service.ts";
import { startingAnswer } from "../../lib/serve/starting-listener.ts";
import type { Tracing } from "../../lib/telemetry/tracer.ts";
import { assembleInference } from "./assemble.ts";
import { checkReadiness } from "./backends/readiness.ts";
import type { InferenceConfig } from "./config.ts";
import { socketIdleSeconds } from "./http/socket-idle.ts";

export interface InferenceResources {
  log: Logger;
  tracing?: Tracing;
  /** The log sink (run.ts): access lines are written straight to it. */
  logSink?: LogSink;
  /** Listening on cfg.PORT already (main.ts); otherwise the start listens itself. */
  listener?: StartingListener;
}

export async function startInference(cfg: InferenceConfig, { log, tracing, logSink, ...res }: InferenceResources): Promise<RunningService> {
  const { app, pools, health, metrics, tokens, openCalls } = assembleInference(cfg, { log, tracing, logSink });
  // A streamed generation may be silent up to the idle limit: keep the client's connection open past it.
  const longestIdleMs = Math.max(...[...pools.values()].map((p) => Math.min(p.spec.limits.idleTimeoutMs, p.spec.limits.firstByteTimeoutMs)));
  const idleTimeoutSeconds = socketIdleSeconds(longestIdleMs);
  // Probes answer from the start (/healthz 200, /startupz and /readyz 503), everything else 503 until the app serves.
  const listener = res.listener ?? listenStarting({ port: cfg.PORT, whileStarting: startingAnswer, idleTimeoutSeconds });
  const processMetrics = startProcessMetrics(metrics);
  const closers: Closer[] = [{ name: "process metrics", close: async () => processMetrics.stop() }];
  if (cfg.INFERENCE_READINESS_INTERVAL_MS > 0) {
    // One round before taking traffic, so the first calls skip backends that are down.
    await checkReadiness(pools, { log });
    const readiness = startPeriodic("readiness checks", cfg.INFERENCE_READINESS_INTERVAL_MS, () => checkReadiness(pools, { log }), log);
    closers.unshift({ name: "readiness checks", close: () => readiness.stop() });
  }
  // The token counter's table is loaded before serving when an OpenAI model is registered: loading it takes the one
  // thread for ~110 ms (compiled, 2-core machine), which at the first OpenAI call held that call's first byte and every
  // call beside it (an OIP infer sent 2 ms later: 133-142 ms instead of 5). An OIP-only replica never loads it.
  if ([...pools.values()].some((p) => p.spec.protocol === "openai")) {
    tokens.startLoading();
    await tokens.ready.catch((err) => log.warn("tokenizer failed to load; token estimates stay approximate", { error: String(err) }));
  }
  listener.serve({ fetch: app.fetch, idleTimeoutSeconds, log });
  health.markStarted();
  const models = [...pools.values()].map((p) => `${p.spec.name} (${p.spec.protocol}, ${p.backends.length} backend${p.backends.length === 1 ? "" : "s"})`);
  log.info("ready", { port: listener.port, models });
  // Streams (and slow answers) still open near the end of the grace period end with their error event or a 503,
  // instead of being cut off by the forced exit.
  return { name: "inference", listener, health, closers, interrupters: [{ name: "model calls", interrupt: () => openCalls.stopAll() }] };
}
