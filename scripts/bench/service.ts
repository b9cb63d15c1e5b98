// The service side of the benchmark: start the orders service as a child, drive it with wrk, stop it.
import { closeSync, openSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { compile } from "../build.ts";
import { freePort, runChild, startChild } from "./proc.ts";

export const ROOT = resolve(import.meta.dir, "../..");

export interface WrkResult {
  requests: number;
  duration_us: number;
  errors_status: number;
  errors_connect: number;
  errors_read: number;
  errors_write: number;
  errors_timeout: number;
  p50_us: number;
  p90_us: number;
  p99_us: number;
  p999_us: number;
  max_us: number;
}

export const requestsPerSecond = (w: WrkResult) => w.requests / (w.duration_us / 1e6);
/** Responses that were not 2xx/3xx (wrk counts status ≥ 400) plus socket errors and timeouts. */
export const failures = (w: WrkResult) => w.errors_status + w.errors_connect + w.errors_read + w.errors_write + w.errors_timeout;

/** `--tracing off|RATIO`: undefined for off, else the head-sampling ratio in [0, 1]. */
export function parseTracingFlag(v: string | undefined): number | undefined {
  if (v === undefined || v === "off") return undefined;
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n) || n < 0 || n > 1) throw new Error(`--tracing: expected off or a ratio from 0 to 1, got "${v}"`);
  return n;
}

/**
 * The service's tracing env: off → no endpoint (no SDK, the API's no-op tracer); a ratio → OTLP export to `sinkUrl`
 * (scripts/bench/otlp-sink.ts, protobuf like production) with parent-based ratio sampling at that ratio.
 */
export function tracingEnv(ratio: number | undefined, sinkUrl: string | undefined): Record<string, string> {
  if (ratio === undefined || sinkUrl === undefined) return { OTEL_EXPORTER_OTLP_ENDPOINT: "", OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "" };
  return { OTEL_EXPORTER_OTLP_ENDPOINT: sinkUrl, OTEL_TRACES_SAMPLER: "parentbased_traceidratio", OTEL_TRACES_SAMPLER_ARG: String(ratio) };
}

/** The command that runs the service: `bun services/orders/main.ts`, a given executable, or a freshly compiled one. */
export async function serviceCommand(opts: { binary?: string; compileTo?: string; cpuProfDir?: string }): Promise<string[]> {
  if (opts.binary) return [resolve(opts.binary)];
  if (opts.compileTo) {
    await compile("services/orders/main.ts", opts.compileTo, { withEmbeddedDatabase: true });
    return [opts.compileTo];
  }
  const prof = opts.cpuProfDir ? ["--cpu-prof", "--cpu-prof-md", `--cpu-prof-dir=${opts.cpuProfDir}`] : [];
  return [process.execPath, ...prof, "services/orders/main.ts"];
}

export interface RunningService {
  base: string;
  pid: number;
  logPath: string;
  stop(): Promise<{ logBytes: number; logLines: number }>;
}

/** Starts the service on a free port with stdout+stderr going to `logPath`, and waits for /readyz. */
export async function startService(cmd: string[], env: Record<string, string>, logPath: string): Promise<RunningService> {
  const port = freePort();
  const logFd = openSync(logPath, "w");
  const p = startChild(cmd, { cwd: ROOT, logFd, env: { ...process.env, ...env, PORT: String(port), DRAIN_DELAY_MS: "0" } });
  closeSync(logFd);
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (
      await fetch(`${base}/readyz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    if (p.exitCode !== null || Date.now() > deadline) {
      p.kill("SIGKILL");
      const tail = readFileSync(logPath, "utf8").split("\n").slice(-20).join("\n");
      throw new Error(`the service did not become ready (exit code ${p.exitCode}); log tail:\n${tail}`);
    }
    await Bun.sleep(50);
  }
  return {
    base,
    pid: p.pid,
    logPath,
    async stop() {
      p.kill("SIGTERM");
      const code = await Promise.race([p.exited, Bun.sleep(10_000).then(() => "timed out")]);
      if (code !== 0) {
        p.kill("SIGKILL");
        throw new Error(`the service did not shut down cleanly (${code}); log: ${logPath}`);
      }
      const text = readFileSync(logPath, "utf8");
      return { logBytes: statSync(logPath).size, logLines: text.split("\n").length - 1 };
    },
  };
}

/** One wrk run with scripts/bench/orders.lua; `path` "/healthz" measures the plain HTTP floor instead. */
export async function runWrk(opts: { base: string; token: string; path: string; connections: number; threads: number; seconds: number }) {
  const threads = Math.min(opts.threads, opts.connections);
  const r = await runChild(
    [
      "wrk",
      `-t${threads}`,
      `-c${opts.connections}`,
      `-d${opts.seconds}s`,
      "--timeout",
      "5s",
      "-s",
      join(import.meta.dir, "orders.lua"),
      opts.base,
      "--",
      opts.token,
      opts.path,
    ],
    { timeoutMs: (opts.seconds + 30) * 1000 },
  );
  const line = r.stdout.split("\n").find((l) => l.startsWith("WRK_RESULT "));
  if (r.code !== 0 || !line) throw new Error(`wrk failed (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  return { result: JSON.parse(line.slice("WRK_RESULT ".length)) as WrkResult, cpuUs: r.cpuUs };
}
