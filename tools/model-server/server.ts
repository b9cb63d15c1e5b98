// createModelServer: the model server as a Hono app (no I/O), from loaded models, chat settings and a fault mode.
import { Hono } from "hono";
import { controlRoutes } from "./control/routes.ts";
import { createStats } from "./control/stats.ts";
import { createFaults, type ProcessFault } from "./faults/faults.ts";
import type { Models } from "./models/load.ts";
import { oipModels } from "./oip/models.ts";
import { oipError, oipRoutes } from "./oip/routes.ts";
import { type ChatSettings, chatRoutes } from "./openai/chat.ts";
import { openaiRoutes } from "./openai/routes.ts";
import { openaiError } from "./openai/schemas.ts";
import { type ServerEnv, trackRequests } from "./tracking.ts";

export interface ModelServerOptions {
  models: Pick<Models, "language" | "sentiment">;
  chat?: Partial<ChatSettings>;
  /** A process-wide fault from the start (MODEL_SERVER_FAULT); POST /_control changes it later. */
  fault?: ProcessFault | undefined;
  /** Called with every unexpected error (the answer is then a 500 in the protocol's error shape). */
  onError?: (err: unknown) => void;
}

export const DEFAULT_CADENCE_MS = 20;

export function createModelServer(opts: ModelServerOptions): Hono<ServerEnv> {
  const deps = { stats: createStats(), faults: createFaults(opts.fault) };
  const chat: ChatSettings = { cadenceMs: opts.chat?.cadenceMs ?? DEFAULT_CADENCE_MS, chunks: opts.chat?.chunks };
  const errorFor = (path: string) => (path.startsWith("/v1/") ? openaiError : oipError);

  const app = new Hono<ServerEnv>();
  // Registered first and answering without next(): the control surface is neither counted nor faulted.
  app.route("/", controlRoutes(deps.stats, deps.faults) as unknown as Hono<ServerEnv>);
  app.use(trackRequests(deps.stats));
  app.route("/", oipRoutes(deps, oipModels(opts.models)));
  app.route("/", openaiRoutes(deps, opts.models.language));
  app.route("/", chatRoutes(deps, chat));
  app.notFound((c) => c.json(errorFor(c.req.path)(`no route for ${c.req.method} ${c.req.path}`, 404), 404));
  app.onError((err, c) => {
    opts.onError?.(err);
    return c.json(errorFor(c.req.path)(`internal error: ${err instanceof Error ? err.message : String(err)}`, 500), 500);
  });
  return app;
}
