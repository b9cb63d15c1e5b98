// Pipeline benchmark, phase 2: orders at a steady rate through the orders API (wrk on a fixed schedule); lag from order to notification.
import { join } from "node:path";
import type { Pipeline } from "../../tests/pipeline/harness.ts";
import { type CpuUse, startCpuMeter } from "./cpu-meter.ts";
import { runChild } from "./proc.ts";
import type { RunningService, WrkResult } from "./service.ts";

export interface LagResult {
  requested: number;
  /** Requests wrk completed / the seconds it ran. */
  achievedPerSec: number;
  non2xx: number;
  socketErrors: number;
  httpP99Ms: number;
  /** Orders inside the measured window (after the warm-up) and their lags, ms. */
  measured: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  cpu: CpuUse;
  wrkCpuUs: number;
}

export interface LagOptions {
  rate: number;
  seconds: number;
  warmupSeconds: number;
  connections: number;
  threads: number;
  natsPid: number | undefined;
  databases: string[];
}

/** What pipeline-orders.lua reports: the fields of orders.lua's result it also prints. */
type WrkSummary = Pick<
  WrkResult,
  "requests" | "duration_us" | "errors_status" | "errors_connect" | "errors_read" | "errors_write" | "errors_timeout" | "p99_us"
>;

/** Nearest-rank percentile of sorted values. */
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? Number.NaN;

export async function measureLag(p: Pipeline, orders: RunningService, notifications: RunningService, o: LagOptions): Promise<LagResult> {
  const total = o.warmupSeconds + o.seconds;
  if (total > 55) throw new Error("warm-up + duration must stay under 55 s: wrk sends one internal token, valid 60 s at most");
  // Steady state, as autovacuum leaves it within a minute or so: the statistics of phase 1's backlog would otherwise
  // still describe 50,000 pending outbox rows, and the relay's claim would plan a scan of them all (see the report).
  await p.sql.orders`VACUUM ANALYZE outbox`;
  await p.sql.notifications`VACUUM ANALYZE notifications, processed_events`;
  const token = await p.mint({ audience: "orders", subject: "bench-lag", scopes: ["orders:write"], ttlSeconds: 60 });
  const [{ since }] = (await p.sql.orders`SELECT clock_timestamp() AS since`) as unknown as [{ since: Date }];
  const pids: Record<string, number> = { orders: orders.pid, notifications: notifications.pid, ...(o.natsPid ? { "nats-server": o.natsPid } : {}) };
  const meter = startCpuMeter({ database: o.databases, pids });
  const run = await runChild(
    [
      "wrk",
      `-t${o.threads}`,
      `-c${o.connections}`,
      `-d${total}s`,
      "--timeout",
      "5s",
      "-s",
      join(import.meta.dir, "pipeline-orders.lua"),
      orders.base,
      "--",
      token,
      String(o.rate),
      String(o.threads),
    ],
    { timeoutMs: (total + 30) * 1000 },
  );
  const line = run.stdout.split("\n").find((l) => l.startsWith("WRK_RESULT "));
  if (run.code !== 0 || !line) throw new Error(`wrk failed (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
  const wrk = JSON.parse(line.slice("WRK_RESULT ".length)) as WrkSummary;

  // Every order placed in this phase gets its notification (bounded wait), then the lags of those after the warm-up.
  const placed = async () => await p.sql.orders<{ id: string; created_at: Date }[]>`SELECT id::text AS id, created_at FROM orders WHERE created_at >= ${since}`;
  let orderRows = await placed();
  const ids = () => orderRows.map((r) => r.id);
  const deadline = Date.now() + 30_000;
  let notified: { order_id: string; created_at: Date }[] = [];
  for (;;) {
    notified = await p.sql.notifications<{ order_id: string; created_at: Date }[]>`
      SELECT order_id::text AS order_id, created_at FROM notifications WHERE order_id = ANY(${ids()}::uuid[])`;
    if (notified.length === orderRows.length) break;
    if (Date.now() > deadline) throw new Error(`only ${notified.length} of ${orderRows.length} orders notified 30 s after the load ended`);
    await Bun.sleep(200);
    orderRows = await placed();
  }
  const cpu = meter.stop({ wrk: run.cpuUs });

  const first = Math.min(...orderRows.map((r) => r.created_at.getTime()));
  const windowStart = first + o.warmupSeconds * 1000;
  const notifiedAt = new Map(notified.map((r) => [r.order_id, r.created_at.getTime()]));
  const lags = orderRows
    .filter((r) => r.created_at.getTime() >= windowStart)
    .map((r) => (notifiedAt.get(r.id) as number) - r.created_at.getTime())
    .sort((a, b) => a - b);
  return {
    requested: wrk.requests,
    achievedPerSec: wrk.requests / (wrk.duration_us / 1e6),
    non2xx: wrk.errors_status,
    socketErrors: wrk.errors_connect + wrk.errors_read + wrk.errors_write + wrk.errors_timeout,
    httpP99Ms: wrk.p99_us / 1000,
    measured: lags.length,
    p50: percentile(lags, 0.5),
    p90: percentile(lags, 0.9),
    p99: percentile(lags, 0.99),
    max: lags[lags.length - 1] ?? Number.NaN,
    cpu,
    wrkCpuUs: run.cpuUs,
  };
}
