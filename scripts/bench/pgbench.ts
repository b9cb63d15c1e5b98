// The database's limit: Debian's pgbench running orders-pgbench.sql (the plain order-create transaction) on the bench database.
import { join } from "node:path";
import { type CpuUse, startCpuMeter } from "./cpu-meter.ts";
import { runChild } from "./proc.ts";
import type { sampleRows } from "./sample-rows.ts";

export interface PgbenchRun {
  clients: number;
  tps: number;
  latencyMs: number;
  processed: number;
  failed: number;
  cpu: CpuUse;
}

export async function runPgbench(opts: { url: string; clients: number; seconds: number; rows: ReturnType<typeof sampleRows> }): Promise<PgbenchRun> {
  const u = new URL(opts.url);
  const r = opts.rows;
  const database = decodeURIComponent(u.pathname.slice(1));
  const meter = startCpuMeter({ database });
  const res = await runChild(
    [
      "pgbench",
      "-n", // -n: no vacuum of pgbench's own tables (there are none)
      "-h",
      u.hostname,
      "-p",
      u.port || "5432",
      "-U",
      decodeURIComponent(u.username) || "postgres",
      "-f",
      join(import.meta.dir, "orders-pgbench.sql"),
      "-M",
      "prepared",
      "-c",
      String(opts.clients),
      "-j",
      "2",
      "-T",
      String(opts.seconds),
      // Strings travel as bind parameters, as the service sends them.
      "-D",
      `customer=${r.customerId}`,
      "-D",
      `payload=${r.payload}`,
      "-D",
      `headers=${r.headers}`,
      "-D",
      `request_hash=${r.requestHash}`,
      "-D",
      `response_body=${r.responseBody}`,
      database,
    ],
    { timeoutMs: (opts.seconds + 30) * 1000, env: { ...process.env, PGPASSWORD: decodeURIComponent(u.password) || process.env.PGPASSWORD } },
  );
  const cpu = meter.stop({ pgbench: res.cpuUs });
  const out = res.stdout;
  const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(out)?.[1];
  if (res.code !== 0 || !tps) throw new Error(`pgbench failed (exit ${res.code}):\n${out}\n${res.stderr}`);
  return {
    clients: opts.clients,
    tps: Number(tps),
    latencyMs: Number(/latency average = ([\d.]+) ms/.exec(out)?.[1] ?? Number.NaN),
    processed: Number(/actually processed: (\d+)/.exec(out)?.[1] ?? 0),
    failed: Number(/failed transactions: (\d+)/.exec(out)?.[1] ?? 0),
    cpu,
  };
}
