// createApp(deps): the notifications HTTP app, pure (no I/O of its own) so tests and the contract generator can build it.
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { InternalTokenVerifier } from "../../lib/auth/internal-token.ts";
import type { Health } from "../../lib/health/health.ts";
import { registerHealthRoutes } from "../../lib/health/routes.ts";
import type { AppEnv } from "../../lib/http/app-env.ts";
import { createServiceApp } from "../../lib/http/create-app.ts";
import { registerDocs } from "../../lib/http/docs.ts";
import type { Logger } from "../../lib/logging/logger.ts";
import type { DeadLetterReader } from "./dead-letters/dead-letter-reader.ts";
import { registerDeadLetterRoutes } from "./dead-letters/handlers.ts";
import type { Replayer } from "./dead-letters/replay.ts";
import { registerNotificationRoutes } from "./notifications/handlers.ts";
import type { NotificationsRepository } from "./notifications/repository.ts";
import { VERSION } from "./version.ts";

export interface NotificationsAppDeps {
  log: Logger;
  repo: NotificationsRepository;
  deadLetters: DeadLetterReader;
  replayer: Replayer;
  verifyToken: InternalTokenVerifier;
  health: Health;
  bodyLimitBytes?: number;
}

export const DOCS_INFO = {
  title: "Notifications API",
  version: VERSION,
  description:
    "Notifications sent to customers about their orders (from the order events on the broker), and the admin API of the worker's dead letters. " +
    "Reached through the gateway, which mints the internal token.",
};

export function createApp(deps: NotificationsAppDeps): OpenAPIHono<AppEnv> {
  const app = createServiceApp({ log: deps.log, bodyLimitBytes: deps.bodyLimitBytes });
  registerHealthRoutes(app, deps.health);
  registerNotificationRoutes(app, { repo: deps.repo, verifyToken: deps.verifyToken });
  registerDeadLetterRoutes(app, { reader: deps.deadLetters, replayer: deps.replayer, verifyToken: deps.verifyToken });
  registerDocs(app, DOCS_INFO);
  return app;
}
