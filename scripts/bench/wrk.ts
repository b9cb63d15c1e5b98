// Runs wrk (1 thread) with scripts/bench/wrk-request.lua and reads the JSON summary line it prints.
import { join } from "node:path";
import { runChild } from "./proc.ts";

export interface WrkResult {
  requests: number;
  duration_us: number;
  errors_status: number;
  errors_socket: number;
  p50_us: number;
  p90_us: number;
  p99_us: number;
  max_us: number;
  /** Filled in by a bench that meters the answering process: its user + system CPU per request, µs. */
  cpu_us_per_request?: number;
}

/** `args` go to the script's init() after `--`: token (or "-"), path, optional body file. A non-2xx answer or socket error throws. */
export async function runWrk(base: string, connections: number, seconds: number, args: string[]): Promise<WrkResult> {
  const script = join(import.meta.dir, "wrk-request.lua");
  const r = await runChild(["wrk", "-t1", `-c${connections}`, `-d${seconds}s`, "--timeout", "5s", "-s", script, base, "--", ...args], {
    timeoutMs: (seconds + 30) * 1000,
  });
  const line = r.stdout.split("\n").find((l) => l.startsWith("WRK_RESULT "));
  if (r.code !== 0 || !line) throw new Error(`wrk failed (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  const result = JSON.parse(line.slice("WRK_RESULT ".length)) as WrkResult;
  if (result.errors_status + result.errors_socket > 0)
    throw new Error(`${base}: ${result.errors_status} non-2xx answers, ${result.errors_socket} socket errors`);
  return result;
}

export const requestsPerSecond = (w: WrkResult): number => w.requests / (w.duration_us / 1e6);
