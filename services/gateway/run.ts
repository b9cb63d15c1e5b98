// Gateway process, loaded by main.ts: loads the dev issuer's keys, connects NATS when asked, starts the gateway (lib/serve/run-service.ts does the rest).
import type { KV } from "@nats-io/kv";
import { loadOrCreateKeyFile } from "../../lib/auth/dev-key-file.ts";
import type { Closer } from "../../lib/lifecycle/closer.ts";
import type { Logger } from "../../lib/logging/logger.ts";
import type { StartingListener } from "../../lib/serve/listen.ts";
import { runService } from "../../lib/serve/run-service.ts";
import { VERSION } from "../../lib/version.ts";
import { type GatewayConfig, gatewayEnv, tokenIdentity } from "./config.ts";
import { DEV_ISSUER_KEY_FILE, type DevIssuerKeys, generateDevIssuerKeys } from "./dev-issuer/issuer.ts";
import { startGateway } from "./start.ts";

const SERVICE = "gateway";
const RATE_LIMIT_BUCKET = "gateway_rate_limits";

async function openRateLimitStore(cfg: GatewayConfig, log: Logger, opened: Closer[]): Promise<KV> {
  const [{ connect }, { openRateLimitBucket }] = await Promise.all([import("@nats-io/transport-node"), import("./ratelimit/rate-limit-bucket.ts")]);
  // Reconnect forever (the default gives up after 10 tries): a node lost for a while must not end the shared budget for good.
  const nc = await connect({ servers: (cfg.NATS_URL ?? "").split(","), name: SERVICE, maxReconnectAttempts: -1 });
  opened.push({ name: "nats", close: () => nc.drain() });
  return openRateLimitBucket(nc, RATE_LIMIT_BUCKET, { policies: Object.values(cfg.RATE_LIMITS), replicas: cfg.NATS_STREAM_REPLICAS, log });
}

/** Runs the service on main.ts's early listener, when it has one. */
export async function run(listener: StartingListener | undefined): Promise<void> {
  await runService({
    service: SERVICE,
    listener,
    env: gatewayEnv,
    // One access-log line per request: batched, so a busy gateway makes one write per few milliseconds, not one per line.
    batchedLog: true,
    start: async ({ cfg, log, sink, tracing, opened, listener }) => {
      const { issuer, audience } = tokenIdentity(cfg);
      log.info("starting", { version: VERSION, port: cfg.PORT, issuer, audience, dev_issuer: cfg.DEV_ISSUER, rate_limit_store: cfg.RATE_LIMIT_STORE });
      let devIssuer: DevIssuerKeys | undefined;
      if (cfg.DEV_ISSUER) {
        devIssuer = await loadOrCreateKeyFile(`${cfg.DATA_DIR}/${DEV_ISSUER_KEY_FILE}`, () => generateDevIssuerKeys());
        log.warn("DEV ISSUER ENABLED: anyone with the key file under DATA_DIR can mint accepted tokens; never run this in production", { issuer });
      }
      const kv = cfg.RATE_LIMIT_STORE === "nats" ? await openRateLimitStore(cfg, log, opened) : undefined;
      return startGateway(cfg, { log, logSink: sink, devIssuer, kv, tracing, listener });
    },
  });
}
