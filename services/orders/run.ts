// Orders process, loaded by main.ts: opens the database and the transport and starts the service (lib/serve/run-service.ts does the rest).
import { openServiceConnections } from "../../lib/messaging/open-service-messaging.ts";
import type { StartingListener } from "../../lib/serve/listen.ts";
import { runService } from "../../lib/serve/run-service.ts";
import { VERSION } from "../../lib/version.ts";
import { ordersEnv } from "./config.ts";
import { startOrders } from "./start.ts";

const SERVICE = "orders";

/** Runs the service on main.ts's early listener, when it has one. */
export async function run(listener: StartingListener | undefined): Promise<void> {
  await runService({
    service: SERVICE,
    listener,
    env: ordersEnv,
    start: async ({ cfg, log, tracing, opened, listener }) => {
      log.info("starting", { version: VERSION, port: cfg.PORT, embedded_database: !cfg.DATABASE_URL, nats: Boolean(cfg.NATS_URL) });
      const { db, transport } = await openServiceConnections(SERVICE, cfg, log, opened, tracing);
      return startOrders(cfg, { log, db, transport, tracing, listener });
    },
  });
}
