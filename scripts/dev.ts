// `npm start`: the whole platform in one process on embedded defaults: a PGlite database per service, one shared
// embedded broker (Postgres tables in its own PGlite) unless NATS_URL is set, dev keys for internal tokens, and the
// development model server (tools/model-server) behind the inference service.
import { loadOrCreateDevKeys, loadOrCreateKeyFile } from "../lib/auth/dev-key-file.ts";
import { parseEnv } from "../lib/config/env.ts";
import { type Database, openDatabase } from "../lib/db/database.ts";
import type { Closer } from "../lib/lifecycle/closer.ts";
import { createLogger, type LogLevel } from "../lib/logging/logger.ts";
import { stdoutSink } from "../lib/logging/stdout-sink.ts";
import { openTransport } from "../lib/messaging/open-transport.ts";
import type { Transport } from "../lib/messaging/types.ts";
import type { RunningService } from "../lib/serve/running-service.ts";
import { createShutdown, onTerminationSignals } from "../lib/serve/shutdown.ts";
import { startTracingOrExit } from "../lib/telemetry/tracing.ts";
import { VERSION } from "../lib/version.ts";
import { gatewayEnv } from "../services/gateway/config.ts";
import { DEV_ISSUER_KEY_FILE, generateDevIssuerKeys } from "../services/gateway/dev-issuer/issuer.ts";
import { startGateway } from "../services/gateway/start.ts";
import { inferenceEnv } from "../services/inference/config.ts";
import { startInference } from "../services/inference/start.ts";
import { notificationsEnv } from "../services/notifications/config.ts";
import { startNotifications } from "../services/notifications/start.ts";
import { ordersEnv } from "../services/orders/config.ts";
import { startOrders } from "../services/orders/start.ts";
import { startModelServer } from "../tools/model-server/start.ts";
import { devInferenceModels } from "./dev-models.ts";

const dataDir = process.env.DATA_DIR ?? ".data";
const natsUrl = process.env.NATS_URL;
const keys = await loadOrCreateDevKeys(`${dataDir}/dev-keys.json`);
// Services get the env the user set, plus what the dev platform decides (ports, data dir, keys).
const envFor = (port: number) => ({
  DRAIN_DELAY_MS: "0",
  ...process.env,
  PORT: String(port),
  DATA_DIR: dataDir,
  DATABASE_URL: undefined,
  INTERNAL_AUTH_JWKS: JSON.stringify(keys.jwks),
});

const opened: Closer[] = [];
const running: RunningService[] = [];
let shutdown: ((reason: string) => Promise<number>) | undefined;
onTerminationSignals(async (reason) => {
  if (shutdown) return shutdown(reason);
  for (const c of opened.reverse()) await c.close().catch(() => {});
  process.exit(0);
});

const rootLogOptions = { service: "platform", level: (process.env.LOG_LEVEL as "info") ?? "info", sink: stdoutSink };
// One process, one provider: spans carry service.name "platform" unless OTEL_SERVICE_NAME says otherwise; off without
// an endpoint. The tracing is passed to every service and connection, its context to every logger.
const tracing = await startTracingOrExit("platform", VERSION, process.env, { log: createLogger(rootLogOptions) });
const rootLog = createLogger({ ...rootLogOptions, context: tracing.logContext });
const serviceLog = (service: string, level: LogLevel) => createLogger({ service, level, sink: stdoutSink, context: tracing.logContext });

async function database(service: string): Promise<Database> {
  const db = await openDatabase({ dataDir, service, log: rootLog, tracing });
  opened.push({ name: `${service} database`, close: () => db.close() });
  return db;
}

// One embedded broker for every service, so events cross services without NATS.
let sharedTransport: Transport | undefined;
async function transportFor(service: string): Promise<Transport> {
  if (sharedTransport) return sharedTransport;
  const broker = natsUrl ? undefined : await database("broker");
  const t = await openTransport({ natsUrl, brokerSql: () => (broker as Database).sql, name: service, log: rootLog, tracing });
  opened.push({ name: `${service} transport`, close: () => t.close() });
  if (!natsUrl) sharedTransport = t;
  return t;
}

// Loading its models (~0.5 s, mostly the tokenizer) overlaps with opening the databases; awaited before inference starts.
const modelServerStarting = startModelServer({
  port: Number(process.env.MODEL_SERVER_PORT ?? 9090),
  log: serviceLog("model-server", rootLogOptions.level),
}).then((server) => {
  opened.push({ name: "model server", close: () => server.stop() });
  return server;
});
modelServerStarting.catch(() => {}); // a failure is reported where it is awaited, below
let modelServerUrl = "";

try {
  {
    const cfg = parseEnv("orders", ordersEnv, envFor(Number(process.env.ORDERS_PORT ?? 8081)));
    const log = serviceLog("orders", cfg.LOG_LEVEL);
    running.push(await startOrders(cfg, { log, db: await database("orders"), transport: await transportFor("orders"), tracing }));
  }
  {
    const cfg = parseEnv("notifications", notificationsEnv, envFor(Number(process.env.NOTIFICATIONS_PORT ?? 8082)));
    const log = serviceLog("notifications", cfg.LOG_LEVEL);
    running.push(await startNotifications(cfg, { log, db: await database("notifications"), transport: await transportFor("notifications"), tracing }));
  }
  {
    // The inference service in front of the model server (INFERENCE_MODELS set by the user wins: e.g. a real vLLM).
    const modelServer = await modelServerStarting;
    modelServerUrl = `http://localhost:${modelServer.port}`;
    const cfg = parseEnv("inference", inferenceEnv, {
      ...envFor(Number(process.env.INFERENCE_PORT ?? 8083)),
      INFERENCE_MODELS: process.env.INFERENCE_MODELS ?? JSON.stringify(devInferenceModels(modelServer.url)),
    });
    running.push(await startInference(cfg, { log: serviceLog("inference", cfg.LOG_LEVEL) }));
  }
  {
    // The gateway fronts the others, with the development issuer on (user tokens: npm run token:user).
    const url = (name: string) => `http://127.0.0.1:${running.find((s) => s.name === name)?.listener.port}`;
    const cfg = parseEnv("gateway", gatewayEnv, {
      ...envFor(Number(process.env.GATEWAY_PORT ?? 8080)),
      DEV_ISSUER: "true",
      INTERNAL_AUTH_PRIVATE_JWK: JSON.stringify(keys.privateJwk),
      ORDERS_URL: url("orders"),
      NOTIFICATIONS_URL: url("notifications"),
      INFERENCE_URL: url("inference"),
    });
    const log = serviceLog("gateway", cfg.LOG_LEVEL);
    const devIssuer = await loadOrCreateKeyFile(`${dataDir}/${DEV_ISSUER_KEY_FILE}`, () => generateDevIssuerKeys());
    running.push(await startGateway(cfg, { log, logSink: stdoutSink, devIssuer, tracing }));
  }
} catch (err) {
  console.error(`platform failed to start: ${err instanceof Error ? err.message : String(err)}`);
  for (const c of opened.reverse()) await c.close().catch(() => {});
  process.exit(1);
}

shutdown = createShutdown({
  listeners: running.map((s) => s.listener),
  healths: running.map((s) => s.health),
  log: rootLog,
  drainDelayMs: 0,
  graceMs: 25_000,
  closers: [...running.flatMap((s) => s.closers), ...opened.reverse(), tracing.closer],
  interrupters: running.flatMap((s) => s.interrupters ?? []),
});

console.error(
  [
    "",
    `platform up (${natsUrl ? `NATS at ${natsUrl}` : "embedded broker"}, data in ${dataDir}/)`,
    ...running.map((s) => `  ${s.name.padEnd(14)} http://localhost:${s.listener.port}  (docs: /docs)`),
    `  ${"model server".padEnd(14)} ${modelServerUrl}  (lang-id, sentiment, lang-id-embed, echo-chat: development models, no auth)`,
    '  user token:   npm run -s token:user -- --sub alice --scope "orders:read orders:write inference:invoke"',
    "  stop:         Ctrl-C",
    "",
  ].join("\n"),
);
