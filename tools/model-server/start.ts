// Loads the models and serves createModelServer on a port: used by main.ts, the dev runner and tests.
import type { Logger } from "../../lib/logging/logger.ts";
import { listen } from "../../lib/serve/listen.ts";
import type { ProcessFault } from "./faults/faults.ts";
import { loadModels, type Models } from "./models/load.ts";
import { createModelServer } from "./server.ts";

export interface StartOptions {
  port: number;
  host?: string;
  cadenceMs?: number;
  chunks?: number | undefined;
  fault?: ProcessFault | undefined;
  log?: Logger;
  /** Already loaded models (tests share one set across servers); loaded here when absent. */
  models?: Models;
}

export interface RunningModelServer {
  port: number;
  url: string;
  /** Milliseconds each model took to load. */
  loadMs: { language: number; sentiment: number };
  /** Closes the listener and every open connection (hanging and stalled requests included). */
  stop(): Promise<void>;
}

export async function startModelServer(opts: StartOptions): Promise<RunningModelServer> {
  const models = opts.models ?? (await loadModels());
  const app = createModelServer({
    models,
    chat: { cadenceMs: opts.cadenceMs, chunks: opts.chunks },
    fault: opts.fault,
    onError: (err) => opts.log?.error("request failed", { err: err instanceof Error ? err.message : String(err) }),
  });
  const host = opts.host ?? "127.0.0.1";
  // No idle timeout: hang and stall must last until the client gives up, not until the runtime's 10 s default.
  const listener = listen({ port: opts.port, hostname: host, fetch: app.fetch, idleTimeoutSeconds: 0 });
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${listener.port}`;
  opts.log?.info("model server listening", { url, load_ms: models.loadMs, models: ["lang-id", "sentiment", "lang-id-embed", "echo-chat"] });
  return { port: listener.port, url, loadMs: models.loadMs, stop: () => listener.stop(true) };
}
