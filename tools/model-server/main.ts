// `npm run model-server`: real small models (fastText, wink-nlp) and a deterministic chat model over OIP v2 and OpenAI.
import { ConfigError } from "../../lib/config/env.ts";
import { createLogger } from "../../lib/logging/logger.ts";
import { stdoutSink } from "../../lib/logging/stdout-sink.ts";
import { readConfig } from "./config.ts";
import { startModelServer } from "./start.ts";

let config: ReturnType<typeof readConfig>;
try {
  config = readConfig(process.env, process.argv.slice(2));
} catch (err) {
  console.error(err instanceof ConfigError || err instanceof TypeError ? err.message : String(err));
  process.exit(1);
}
const log = createLogger({ service: "model-server", level: config.LOG_LEVEL, sink: stdoutSink });
const server = await startModelServer({
  port: config.PORT,
  host: config.HOST,
  cadenceMs: config.CHAT_CADENCE_MS,
  chunks: config.CHAT_CHUNKS,
  fault: config.MODEL_SERVER_FAULT,
  log,
}).catch((err: unknown) => {
  // e.g. the port is taken: one line, not a stack trace.
  log.error("model server failed to start", { err: err instanceof Error ? err.message : String(err) });
  process.exit(1);
});
// Nothing to drain: the server holds no state, and a hanging request must not hold up the exit.
for (const sig of ["SIGTERM", "SIGINT"] as const)
  process.on(sig, () => {
    log.info("stopping", { signal: sig });
    void server.stop().then(() => process.exit(0));
  });
