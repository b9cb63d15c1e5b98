// The chaos suite's world: a three-node NATS cluster, the pipeline's databases, two orders and two notifications processes, nginx in front of orders.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type NatsCluster, startNatsCluster } from "../../lib/testing/nats-cluster.ts";
import { ORDERS_SITE_CONF, type RunningNginx, startNginx } from "../../lib/testing/nginx.ts";
import { freePort, type ServiceProcess, startService } from "../../lib/testing/service-process.ts";
import { startWebhookStub, type WebhookStub } from "../../services/notifications/testing/webhook-stub.ts";
import { MAINS, type Pipeline, startPipeline } from "../pipeline/harness.ts";

export type Kind = "orders" | "notifications";

/** One replica slot: its current process (replaced on restart), on a fixed port for orders (nginx's upstream). */
export interface Slot {
  kind: Kind;
  name: string;
  port: number;
  proc: ServiceProcess;
  /** Processes this slot had before (their output is kept for the post-mortem). */
  previous: ServiceProcess[];
}

const WORKER_ENV = {
  NOTIFY_CHANNEL: "webhook",
  NOTIFY_WEBHOOK_TIMEOUT_MS: "1000",
  CONSUMER_ACK_WAIT_MS: "3000",
  CONSUMER_MAX_DELIVER: "4",
  RETRY_BASE_MS: "100",
  RETRY_MAX_MS: "1000",
};

export async function startWorld(progress: (line: string) => void) {
  const cluster: NatsCluster = await startNatsCluster({ progress: (l) => progress(`nats: ${l}`) });
  const p: Pipeline = await startPipeline("jetstream", "chaos", { natsUrl: cluster.url, replicas: 3 });
  const stub: WebhookStub = startWebhookStub();
  const env = (kind: Kind) =>
    kind === "orders"
      ? p.env.orders({ DRAIN_DELAY_MS: "1000", DATABASE_STATEMENT_TIMEOUT_MS: "3000" })
      : p.env.notifications({ ...WORKER_ENV, NOTIFY_WEBHOOK_URL: stub.url, DRAIN_DELAY_MS: "500" });
  const spawn = (kind: Kind, port: number) => startService([process.execPath, MAINS[kind]], env(kind), { port, timeoutMs: 30_000 });

  const slots: Slot[] = [];
  for (const kind of ["orders", "orders", "notifications", "notifications"] as const) {
    const port = await freePort();
    const name = `${kind}-${slots.filter((s) => s.kind === kind).length + 1}`;
    slots.push({ kind, name, port, proc: await spawn(kind, port), previous: [] });
    progress(`${name} up on :${port}`);
  }
  const dir = mkdtempSync(join(tmpdir(), "chaos-nginx-"));
  const nginx: RunningNginx = await startNginx({
    dir,
    port: await freePort(),
    upstreamPort: slots.filter((s) => s.kind === "orders").map((s) => s.port),
    upstreamFailTimeoutSeconds: 2,
    siteConfig: ORDERS_SITE_CONF,
    workers: 1,
    accessLog: false,
  });
  progress(`nginx on ${nginx.url} in front of ${slots.filter((s) => s.kind === "orders").length} orders replicas (upstream keep-alive)`);

  const alive = (s: Slot) => s.proc.proc.exitCode === null && s.proc.proc.signalCode === null;
  let stopped = false;

  return {
    cluster,
    p,
    stub,
    nginx,
    slots,
    of: (kind: Kind) => slots.filter((s) => s.kind === kind),
    /** Starts the slot's process again on its port (after a kill or a stop). */
    async respawn(s: Slot): Promise<void> {
      if (alive(s)) throw new Error(`${s.name} is still running`);
      s.previous.push(s.proc);
      s.proc = await spawn(s.kind, s.port);
    },
    alive,
    /**
     * Stops everything: processes (SIGKILL), nginx, the cluster, the databases. Safe to call twice.
     * With `logDir`, every process's output (each incarnation of each slot) is written there first, for the post-mortem.
     */
    async stop(logDir?: string): Promise<void> {
      if (stopped) return;
      stopped = true;
      for (const s of slots) if (alive(s)) await s.proc.stop("SIGKILL");
      if (logDir) {
        mkdirSync(logDir, { recursive: true });
        for (const s of slots) for (const [i, proc] of [...s.previous, s.proc].entries()) writeFileSync(join(logDir, `${s.name}.${i + 1}.log`), proc.output());
      }
      await nginx.stop().catch(() => {});
      await stub.stop();
      await p.close().catch(() => {});
      await cluster.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
export type World = Awaited<ReturnType<typeof startWorld>>;
