// Starts the inference service on its parsed config: app, first readiness round, listener, periodic readiness checks.

import type { Closer } from "../../lib/lifecycle/closer.ts";
import type { Logger } from "../../lib/logging/logger.ts";
import { startProcessMetrics } from "../../lib/metrics/process-metrics.ts";
import { listen } from "../../lib/serve/listen.ts";
import { startPeriodic } from "../../lib/serve/periodic.ts";
import type { RunningService } from "../../lib/serve/running-service.ts";
import type { Tracing } from "../../lib/telemetry/tracer.ts";
import { assembleInference } from "./assemble.ts";
import { checkReadiness } from "./backends/readiness.ts";
import type { InferenceConfig } from "./config.ts";

export async function startInference(cfg: InferenceConfig, { log, tracing }: { log: Logger; tracing?: Tracing }): Promise<RunningService> {
  const { app, pools, health, metrics, tokens } = assembleInference(cfg, { log, tracing });
  const processMetrics = startProcessMetrics(metrics);
  const closers: Closer[] = [{ name: "process metrics", close: async () => processMetrics.stop() }];
  if (cfg.INFERENCE_READINESS_INTERVAL_MS > 0) {
    // One round before taking traffic, so the first calls skip backends that are down.
    await checkReadiness(pools, { log });
    const readiness = startPeriodic("readiness checks", cfg.INFERENCE_READINESS_INTERVAL_MS, () => checkReadiness(pools, { log }), log);
    closers.unshift({ name: "readiness checks", close: () => readiness.stop() });
  }
  // A streamed generation may be silent up to the idle limit: keep the client's connection open past it.
  const longestIdleMs = Math.max(...[...pools.values()].map((p) => Math.min(p.spec.limits.idleTimeoutMs, p.spec.limits.firstByteTimeoutMs)));
  const idleTimeoutSeconds = Math.min(255, Math.max(30, Math.ceil(longestIdleMs / 1000) + 5)); // Bun allows ≤ 255 s
  const listener = listen({ port: cfg.PORT, fetch: app.fetch, idleTimeoutSeconds });
  health.markStarted();
  // The token counter's table loads only now, off the start path: calls before that count approximately.
  tokens.startLoading();
  tokens.ready.catch((err) => log.warn("tokenizer failed to load; token estimates stay approximate", { error: String(err) }));
  const models = [...pools.values()].map((p) => `${p.spec.name} (${p.spec.protocol}, ${p.backends.length} backend${p.backends.length === 1 ? "" : "s"})`);
  log.info("ready", { port: listener.port, models });
  return { name: "inference", listener, health, closers };
}
