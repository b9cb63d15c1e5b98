// Benchmark: the event pipeline (orders outbox relay → NATS JetStream → notifications worker) on real PostgreSQL and a private nats-server.
//
// Usage:  bun run bench:pipeline [-- flags]        (same as: bun scripts/bench/pipeline.ts [flags])
//
//   --events N             pre-filled outbox events for phase 1 (default 50000; env BENCH_PIPELINE_EVENTS)
//   --raw-events N         messages for the raw JetStream limit (default: --events; BENCH_PIPELINE_RAW_EVENTS)
//   --rate R               orders per second in phase 2 (default 500; BENCH_PIPELINE_RATE)
//   --duration S           measured seconds of phase 2 (default 20; BENCH_PIPELINE_DURATION)
//   --warmup S             seconds of phase 2 load before the measured window (default 2; BENCH_PIPELINE_WARMUP)
//   --connections N        wrk connections in phase 2 (default 8)
//   --relay-batch N        the orders service's OUTBOX_RELAY_BATCH_SIZE (default: the service's, 256)
//   --consumer-batch N     the notifications service's CONSUMER_BATCH (default: the service's, 256)
//   --worker-log-level L   the notifications service's LOG_LEVEL (default info: the log channel writes one line per
//                          notification to the log FILE; warn drops those lines, and the result then says so)
//   --skip-raw / --skip-lag  leave out the raw JetStream limit / phase 2
//   --cpu-prof DIR         run both services with `bun --cpu-prof --cpu-prof-md`; the profiles (written at their exit) land in DIR
//   --database-url URL     server for the temp databases (default $TEST_DATABASE_URL or postgres://postgres@127.0.0.1:5432/postgres)
//   --keep                 keep the service logs (the databases and the nats-server are always removed)
//
// What it does, from a clean start (two temp databases, a private nats-server on its own ports and store):
//   limit    the platform's JetStream transport alone on the same server: publish N realistic order.placed messages with
//            256 in flight, consume them with a double ack per message (the worker's batch 256 / 512 handlers); then both
//            at once on a fresh stream: first publish → last ack is "the limit" a relay + worker pair could reach.
//   phase 1  N order.placed outbox rows inserted directly (the envelope, subject and traceparent the service writes),
//            ANALYZE + CHECKPOINT, the notifications service started (log channel), then the orders service with its relay:
//            events/s from the relay's start (its log line) until the N-th notification committed (max created_at).
//   phase 2  orders at a steady rate through POST /v1/orders (wrk on a fixed schedule: scripts/bench/pipeline-orders.lua),
//            the same warm services; lag = notifications.created_at − orders.created_at for every order of the window.
//            orders.created_at is taken by the service just before its one-statement transaction; notifications.created_at
//            is now() of the worker's insert, i.e. just before its commit: both within a few ms of the commits.
// Services run as `bun services/<name>/main.ts` with stdout and stderr going to a log file, as a container's would.
// CPU lines split the machine's busy time per event into the processes involved (from /proc); a large "other" share
// means something else ran on the machine: repeat the run.
//
// A measurement, not a test: exit 0 whether or not the targets are met; 1 when something broke; 2 when wrk is missing.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { describeCpu, isNoisy, machineBusyShare } from "./cpu-meter.ts";
import { type LagResult, measureLag } from "./pipeline-lag.ts";
import { measureRaw, type RawResult } from "./pipeline-raw.ts";
import { measureThroughput, type ThroughputResult } from "./pipeline-throughput.ts";
import { killAllChildren } from "./proc.ts";
import type { RunningService } from "./service.ts";

const TARGET_EVENTS_PER_SEC = 3_000;
const TARGET_P99_MS = 200;

const str = { type: "string" } as const;
const bool = { type: "boolean" } as const;
const { values: f } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    events: str,
    "raw-events": str,
    rate: str,
    duration: str,
    warmup: str,
    connections: str,
    "relay-batch": str,
    "consumer-batch": str,
    "worker-log-level": str,
    "skip-raw": bool,
    "skip-lag": bool,
    "cpu-prof": str,
    "database-url": str,
    keep: bool,
  },
});
const int = (v: string | undefined, fallback: number, min = 1) => {
  const n = Number(v ?? fallback);
  if (!Number.isInteger(n) || n < min) throw new Error(`expected an integer ≥ ${min}, got "${v}"`);
  return n;
};
const env = process.env;
const cfg = {
  events: int(f.events ?? env.BENCH_PIPELINE_EVENTS, 50_000),
  rawEvents: int(f["raw-events"] ?? env.BENCH_PIPELINE_RAW_EVENTS ?? f.events ?? env.BENCH_PIPELINE_EVENTS, 50_000),
  rate: int(f.rate ?? env.BENCH_PIPELINE_RATE, 500),
  duration: int(f.duration ?? env.BENCH_PIPELINE_DURATION, 20),
  warmup: int(f.warmup ?? env.BENCH_PIPELINE_WARMUP, 2, 0),
  connections: int(f.connections, 8),
  relayBatch: f["relay-batch"],
  consumerBatch: f["consumer-batch"],
  workerLogLevel: f["worker-log-level"] ?? "info",
  skipRaw: f["skip-raw"] ?? false,
  skipLag: f["skip-lag"] ?? false,
  cpuProf: f["cpu-prof"] ? resolve(f["cpu-prof"]) : undefined,
  adminUrl: f["database-url"] ?? env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres",
  keep: f.keep ?? false,
};
const reproduce = [
  `bun scripts/bench/pipeline.ts --events ${cfg.events} --raw-events ${cfg.rawEvents} --rate ${cfg.rate} --duration ${cfg.duration} --warmup ${cfg.warmup}`,
  `--connections ${cfg.connections} --worker-log-level ${cfg.workerLogLevel}`,
  cfg.relayBatch ? `--relay-batch ${cfg.relayBatch}` : "",
  cfg.consumerBatch ? `--consumer-batch ${cfg.consumerBatch}` : "",
  cfg.skipRaw ? "--skip-raw" : "",
  cfg.skipLag ? "--skip-lag" : "",
  cfg.cpuProf ? `--cpu-prof ${cfg.cpuProf}` : "",
]
  .filter(Boolean)
  .join(" ");

const say = (s = "") => console.log(s);
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const verdict = (ok: boolean) => (ok ? "PASS" : "FAIL");

if (!cfg.skipLag && !Bun.which("wrk")) {
  console.error("bench:pipeline needs wrk on PATH for phase 2 (Debian: apt-get install -y wrk), or pass --skip-lag");
  process.exit(2);
}

process.env.TEST_DATABASE_URL = cfg.adminUrl; // the server lib/testing/temp-database.ts makes its databases on
const { startPipeline } = await import("../../tests/pipeline/harness.ts");

const work = mkdtempSync(join(tmpdir(), "bench-pipeline-"));
let pipeline: Awaited<ReturnType<typeof startPipeline>> | undefined;
const services: RunningService[] = [];
let cleaned = false;
let interrupted = false;

async function cleanup() {
  if (cleaned) return;
  cleaned = true;
  for (const s of services) await s.stop().catch((err) => console.error(`stopping a service: ${err instanceof Error ? err.message : err}`));
  killAllChildren();
  await pipeline?.close().catch((err) => console.error(`cleanup: ${err instanceof Error ? err.message : err}`));
  if (cfg.keep) say(`kept: service logs in ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, () => {
    interrupted = true;
    console.error(`\n${sig}: cleaning up`);
    void cleanup().finally(() => process.exit(130));
  });
}

async function main(): Promise<number> {
  const t0 = performance.now();
  const busyBefore = await machineBusyShare(1_000);
  pipeline = await startPipeline("jetstream", "bench_pipeline");
  const p = pipeline;
  const natsPid = p.nats?.pid;
  const databases = [p.urls.orders, p.urls.notifications].map((u) => new URL(u).pathname.slice(1));
  say(
    `bench:pipeline — PostgreSQL at ${new URL(cfg.adminUrl).host} (temp databases), private nats-server ${p.nats?.url}, ${navigator.hardwareConcurrency} cores`,
  );
  if (busyBefore > 0.1) say(`  WARNING: the machine was ${(busyBefore * 100).toFixed(0)} % busy before the benchmark started; expect low and noisy figures`);

  let raw: RawResult | undefined;
  if (!cfg.skipRaw) {
    say(`\nlimit: raw JetStream through lib/messaging's transport, ${fmt(cfg.rawEvents)} order.placed messages`);
    raw = await measureRaw({ natsUrl: p.nats?.url ?? "", events: cfg.rawEvents, inFlight: 256, natsPid });
    say(`  publish (256 in flight)           ${fmt(raw.publishPerSec).padStart(7)} msg/s`);
    say(`  consume (double ack, 512 handlers) ${fmt(raw.consumePerSec).padStart(6)} msg/s`);
    say(`  both at once (publish → last ack) ${fmt(raw.bothPerSec).padStart(7)} msg/s   <- the limit`);
    say(`  ${describeCpu(raw.cpuBoth, raw.events)}`);
  }

  const workerEnv = {
    LOG_LEVEL: cfg.workerLogLevel,
    NOTIFY_CHANNEL: "log",
    ...(cfg.consumerBatch ? { CONSUMER_BATCH: cfg.consumerBatch, CONSUMER_MAX_ACK_PENDING: String(Math.max(1024, 4 * Number(cfg.consumerBatch))) } : {}),
  };
  const relayEnv = { LOG_LEVEL: "info", ...(cfg.relayBatch ? { OUTBOX_RELAY_BATCH_SIZE: cfg.relayBatch } : {}) };
  say(`\nphase 1: ${fmt(cfg.events)} pre-filled outbox events → relay → JetStream → worker → committed notifications`);
  say(
    `  relay batch ${cfg.relayBatch ?? "256 (default)"}, consumer batch ${cfg.consumerBatch ?? "256 (default)"}, worker LOG_LEVEL=${cfg.workerLogLevel} (log channel → file)`,
  );
  const tp: ThroughputResult = await measureThroughput(p, {
    events: cfg.events,
    workDir: work,
    natsPid,
    databases,
    ordersEnv: relayEnv,
    notificationsEnv: workerEnv,
    timeoutMs: Math.max(120_000, cfg.events * 5),
    bunArgs: cfg.cpuProf ? ["--cpu-prof", "--cpu-prof-md", `--cpu-prof-dir=${cfg.cpuProf}`] : [],
  });
  services.push(tp.orders, tp.notifications);
  say(`  pre-fill: ${(tp.prefillMs / 1000).toFixed(1)} s (insert, ANALYZE, CHECKPOINT)`);
  say(
    `  ${fmt(tp.events)} notifications committed ${(tp.elapsedMs / 1000).toFixed(2)} s after the relay started = ${fmt(tp.perSec)} events/s` +
      (raw ? `  (${((tp.perSec / raw.bothPerSec) * 100).toFixed(0)} % of the limit)` : ""),
  );
  say(
    `  relay alone: last row published after ${((tp.events / tp.relayPerSec) * 1000).toFixed(0)} ms = ${fmt(tp.relayPerSec)} events/s; worker finished ${tp.workerTailMs} ms later`,
  );
  say(`  ${describeCpu(tp.cpu, tp.events)}`);
  const linesOk = cfg.workerLogLevel === "debug" || cfg.workerLogLevel === "info" ? tp.notificationLines === tp.events : tp.notificationLines === 0;
  if (!linesOk) throw new Error(`the log channel wrote ${tp.notificationLines} notification lines for ${tp.events} events`);

  let lag: LagResult | undefined;
  if (!cfg.skipLag) {
    say(`\nphase 2: ${cfg.rate} orders/s through POST /v1/orders for ${cfg.warmup} + ${cfg.duration} s (wrk -t1 -c${cfg.connections}, fixed schedule)`);
    lag = await measureLag(p, tp.orders, tp.notifications, {
      rate: cfg.rate,
      seconds: cfg.duration,
      warmupSeconds: cfg.warmup,
      connections: cfg.connections,
      threads: 1,
      natsPid,
      databases,
    });
    say(
      `  wrk: ${fmt(lag.requested)} requests, ${lag.achievedPerSec.toFixed(0)}/s achieved, non-2xx ${lag.non2xx}, socket errors ${lag.socketErrors}, HTTP p99 ${lag.httpP99Ms.toFixed(1)} ms`,
    );
    say(
      `  lag order → notification over ${fmt(lag.measured)} orders: p50 ${lag.p50.toFixed(0)} ms  p90 ${lag.p90.toFixed(0)} ms  p99 ${lag.p99.toFixed(0)} ms  max ${lag.max.toFixed(0)} ms`,
    );
    say(`  ${describeCpu(lag.cpu, lag.requested)}  (wrk itself: ${(lag.wrkCpuUs / lag.requested).toFixed(0)} µs per order)`);
    if (lag.non2xx > 0 || lag.socketErrors > 0) throw new Error("phase 2 had failed requests");
  }

  const noisy = isNoisy(tp.cpu) || (lag ? isNoisy(lag.cpu) : false);
  say("\n============================================================ summary");
  if (raw) say(`limit           ${fmt(raw.bothPerSec)} msg/s raw JetStream publish + consume (same client library, same server)`);
  say(`throughput      ${fmt(tp.perSec)} events/s   target ≥ ${fmt(TARGET_EVENTS_PER_SEC)}   ${verdict(tp.perSec >= TARGET_EVENTS_PER_SEC)}`);
  if (lag) say(`lag p99         ${lag.p99.toFixed(0)} ms (p50 ${lag.p50.toFixed(0)} ms)   target < ${TARGET_P99_MS} ms   ${verdict(lag.p99 < TARGET_P99_MS)}`);
  if (cfg.workerLogLevel !== "info" && cfg.workerLogLevel !== "debug")
    say(`note            worker LOG_LEVEL=${cfg.workerLogLevel}: the log channel's lines were not written`);
  if (cfg.cpuProf) say(`profiles        ${cfg.cpuProf} (with profiling on, the figures above are not comparable)`);
  if (noisy) say("note            other processes used > 10 % of the CPU during a measured phase: repeat on a quiet machine");
  say(`reproduce       ${reproduce}`);
  say(`took            ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  return 0;
}

let exitCode = 1;
try {
  exitCode = await main();
} catch (err) {
  if (!interrupted) console.error(`\nbench:pipeline broke: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
} finally {
  await cleanup();
}
process.exit(interrupted ? 130 : exitCode);
