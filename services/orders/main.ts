// Orders entrypoint: the only file that reads env, opens connections, serves and handles signals.
import { createInternalTokenVerifier } from "../../lib/auth/internal-token.ts";
import { loadConfigOrExit } from "../../lib/config/env.ts";
import { openDatabase } from "../../lib/db/database.ts";
import { migrate } from "../../lib/db/migrate.ts";
import { createHealth } from "../../lib/health/health.ts";
import { createLogger } from "../../lib/logging/logger.ts";
import { stdoutSink } from "../../lib/logging/stdout-sink.ts";
import { listen } from "../../lib/serve/listen.ts";
import { type Closer, createShutdown, onTerminationSignals } from "../../lib/serve/shutdown.ts";
import { createApp } from "./app.ts";
import { ordersEnv } from "./config.ts";
import { startIdempotencySweeper } from "./idempotency/sweeper.ts";
import { migrations } from "./migrations/index.ts";
import { createOrdersRepository } from "./orders/repository.ts";
import { VERSION } from "./version.ts";

const SERVICE = "orders";

if (process.argv.includes("--version")) {
  console.log(`${SERVICE} ${VERSION}`);
  process.exit(0);
}

const cfg = loadConfigOrExit(SERVICE, ordersEnv, process.env);
const log = createLogger({ service: SERVICE, level: cfg.LOG_LEVEL, sink: stdoutSink });

// Until the server is up, a termination signal just closes what is open and exits.
const openedDuringStartup: Closer[] = [];
let shutdown: ((reason: string) => Promise<number>) | undefined;
onTerminationSignals(async (reason) => {
  if (shutdown) return shutdown(reason);
  log.info("stopped during startup", { reason });
  for (const c of openedDuringStartup.reverse()) await c.close().catch(() => {});
  process.exit(0);
});

async function main() {
  log.info("starting", { version: VERSION, port: cfg.PORT, embedded_database: !cfg.DATABASE_URL });
  const db = await openDatabase({
    databaseUrl: cfg.DATABASE_URL,
    dataDir: cfg.DATA_DIR,
    service: SERVICE,
    log,
    max: cfg.DATABASE_POOL_MAX,
    statementTimeoutMs: cfg.DATABASE_STATEMENT_TIMEOUT_MS,
  });
  openedDuringStartup.push({ name: "database", close: () => db.close() });
  const repo = createOrdersRepository(db.sql);
  const health = createHealth({ database: () => repo.ping() });
  const app = createApp({
    log,
    repo,
    health,
    verifyToken: createInternalTokenVerifier({ jwks: cfg.INTERNAL_AUTH_JWKS, audience: SERVICE }),
    idempotencyTtlSeconds: cfg.IDEMPOTENCY_TTL_SECONDS,
    bodyLimitBytes: cfg.BODY_LIMIT_BYTES,
  });

  // Listen before migrating so /healthz and /startupz answer while migrations run.
  const listener = listen({ port: cfg.PORT, fetch: app.fetch });
  openedDuringStartup.unshift({ name: "listener", close: () => listener.stop(true) });
  const { applied } = await migrate(db.sql, migrations, { log });
  health.markStarted();
  const sweeper = startIdempotencySweeper(db.sql, log);
  log.info("ready", { port: listener.port, migrations_applied: applied.length });

  shutdown = createShutdown({
    listener,
    health,
    log,
    drainDelayMs: cfg.DRAIN_DELAY_MS,
    graceMs: cfg.SHUTDOWN_GRACE_MS,
    closers: [
      { name: "idempotency sweeper", close: () => sweeper.stop() },
      { name: "database", close: () => db.close() },
    ],
  });
}

main().catch((err) => {
  log.error("startup failed", { err: err instanceof Error ? err.message : String(err) });
  process.exit(1);
});
