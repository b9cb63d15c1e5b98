// Inference process, loaded by main.ts: the registry is checked with the env (every problem listed), then the service starts.
import type { StartingListener } from "../../lib/serve/listen.ts";
import { runService } from "../../lib/serve/run-service.ts";
import { VERSION } from "../../lib/version.ts";
import { inferenceEnv } from "./config.ts";
import { startInference } from "./start.ts";

/** Runs the service on main.ts's early listener, when it has one. */
export async function run(listener: StartingListener | undefined): Promise<void> {
  await runService({
    service: "inference",
    listener,
    env: inferenceEnv,
    // One write per few ms instead of one per access line: under load write(2) was ~4 % of the CPU per request.
    batchedLog: true,
    start: async ({ cfg, log, sink, tracing, listener }) => {
      log.info("starting", { version: VERSION, port: cfg.PORT, models: Object.keys(cfg.INFERENCE_MODELS) });
      return startInference(cfg, { log, tracing, listener, logSink: sink });
    },
  });
}
