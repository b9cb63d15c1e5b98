// Pipeline benchmark, phase 1: a pre-filled outbox drained through relay, JetStream and worker to committed notifications.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { MAINS, type Pipeline } from "../../tests/pipeline/harness.ts";
import { insertOutboxRows, orderPlacedRow } from "../../tests/pipeline/outbox-events.ts";
import { type CpuUse, startCpuMeter } from "./cpu-meter.ts";
import { processCpuUs } from "./proc.ts";
import { type RunningService, startService } from "./service.ts";

export interface ThroughputResult {
  events: number;
  prefillMs: number;
  /** Relay start (its log line) → last notification committed. */
  elapsedMs: number;
  perSec: number;
  /** Relay start → last outbox row marked published (it shares the cores with the worker meanwhile). */
  relayPerSec: number;
  /** Last row published → last notification committed. */
  workerTailMs: number;
  cpu: CpuUse;
  notificationLines: number;
  orders: RunningService;
  notifications: RunningService;
}

export interface ThroughputOptions {
  events: number;
  workDir: string;
  natsPid: number | undefined;
  /** The orders and notifications databases' names (their backends count as "postgres"). */
  databases: string[];
  ordersEnv: Record<string, string>;
  notificationsEnv: Record<string, string>;
  timeoutMs: number;
  /** Extra `bun` arguments before the entrypoint (e.g. --cpu-prof flags). */
  bunArgs: string[];
}

const logTime = (path: string, msg: string): number | undefined => {
  const line = readFileSync(path, "utf8")
    .split("\n")
    .find((l) => l.includes(`"msg":"${msg}"`));
  return line ? Date.parse((JSON.parse(line) as { time: string }).time) : undefined;
};

const countLines = (path: string, msg: string) => readFileSync(path, "utf8").split(`"msg":"${msg}"`).length - 1;

/** Leaves both services running (warm) for the next phase. */
export async function measureThroughput(p: Pipeline, o: ThroughputOptions): Promise<ThroughputResult> {
  const n = o.events;
  let t0 = performance.now();
  const rows = Array.from({ length: n }, (_, i) => orderPlacedRow(`bench-customer-${i % 100}`));
  await insertOutboxRows(p.sql.orders, rows);
  // The same start for every run: fresh statistics for the relay's claim query, and no checkpoint owed from the insert.
  await p.sql.orders`ANALYZE outbox`;
  await p.sql.orders`CHECKPOINT`;
  const prefillMs = performance.now() - t0;

  const notifications = await startService(
    [process.execPath, ...o.bunArgs, MAINS.notifications],
    p.env.notifications(o.notificationsEnv),
    join(o.workDir, "notifications.log"),
  );
  const meter = startCpuMeter({ database: o.databases, pids: { notifications: notifications.pid, ...(o.natsPid ? { "nats-server": o.natsPid } : {}) } });
  t0 = performance.now();
  const orders = await startService([process.execPath, ...o.bunArgs, MAINS.orders], p.env.orders(o.ordersEnv), join(o.workDir, "orders.log"));
  const count = async () => (await p.sql.notifications<{ n: number }[]>`SELECT count(*)::int AS n FROM notifications`)[0]?.n ?? 0;
  for (let done = await count(); done < n; done = await count()) {
    if (performance.now() - t0 > o.timeoutMs) throw new Error(`only ${done} of ${n} notifications after ${o.timeoutMs} ms`);
    await Bun.sleep(100);
  }
  // The orders process starts inside the measurement: all of its CPU counts, start-up included (~0.3 s).
  const cpu = meter.stop({ orders: processCpuUs(orders.pid) });

  const relayStart = logTime(orders.logPath, "outbox relay started");
  if (relayStart === undefined) throw new Error(`no "outbox relay started" line in ${orders.logPath}`);
  const [times] = await p.sql.notifications<{ last: Date; processed: number }[]>`
    SELECT max(created_at) AS last, (SELECT count(*)::int FROM processed_events) AS processed FROM notifications`;
  const [relay] = await p.sql.orders<{ last: Date; unpublished: number }[]>`
    SELECT max(published_at) AS last, (count(*) FILTER (WHERE published_at IS NULL))::int AS unpublished FROM outbox`;
  if (!times || !relay || times.processed !== n || relay.unpublished !== 0)
    throw new Error(`inconsistent end state: processed ${times?.processed}, unpublished ${relay?.unpublished} (expected ${n}, 0)`);
  const elapsedMs = times.last.getTime() - relayStart;
  const relayMs = relay.last.getTime() - relayStart;
  await Bun.sleep(50); // the log channel's lines are written in batches every few ms
  return {
    events: n,
    prefillMs,
    elapsedMs,
    perSec: n / (elapsedMs / 1000),
    relayPerSec: n / (relayMs / 1000),
    workerTailMs: times.last.getTime() - relay.last.getTime(),
    cpu,
    notificationLines: countLines(notifications.logPath, "notification"),
    orders,
    notifications,
  };
}
