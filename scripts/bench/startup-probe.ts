// Spawns one compiled executable and measures it: time to first 200 on /healthz and /readyz, RSS idle and after load.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { freePort, runChild } from "./proc.ts";

export interface SpawnFigures {
  healthzMs: number;
  readyzMs: number;
  /**
   * CPU the process had used (all threads) when /readyz first answered 200, answering the probe's polls included. It
   * moves less than the wall times when other work shares the machine, so it shows what a start costs on a busy one.
   */
  readyzCpuMs: number;
  idleRssMb: number;
  /**
   * The anonymous part of idle RSS (heap, JIT code, buffers). The rest is file pages of the executable itself (the
   * runtime's code and the embedded program), shared by every process of the same executable and reclaimable.
   */
  idleAnonMb: number;
  /** RSS after `load.requests` requests; undefined when no load was asked for. */
  loadedRssMb?: number;
  /** Answers to the load that were not 200 (a broken setup, not a slow one). */
  loadFailures?: number;
}

export interface LoadPlan {
  requests: number;
  concurrency: number;
  /** The request each worker sends, built once per spawn from the service's base URL. */
  request: (base: string) => Request;
}

const MB = 1024 * 1024;

/** Resident set size of a live process (VmRSS), or its anonymous part (RssAnon), from /proc/PID/status (kB). */
export function rssMb(pid: number, field: "VmRSS" | "RssAnon" = "VmRSS"): number {
  const text = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(new RegExp(`^${field}:\\s+(\\d+)`, "m").exec(text)?.[1] ?? Number.NaN);
  return (kb * 1024) / MB;
}

export const fileSizeMb = (path: string): number => statSync(path).size / MB;

/** CPU time of every thread of a live process so far, ms (/proc/PID/task/<tid>/schedstat: nanoseconds on the CPU). */
export function processCpuMs(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return ns / 1e6;
}

/** Wall time of `exe --version` to its exit and the CPU it used, ms (the process must print and exit 0). */
export async function versionMs(exe: string): Promise<{ ms: number; cpuMs: number }> {
  const started = performance.now();
  const r = await runChild([exe, "--version"], { timeoutMs: 10_000 });
  const ms = performance.now() - started;
  if (r.code !== 0 || r.stdout.trim() === "") throw new Error(`${exe} --version failed (exit ${r.code}): ${r.stderr}`);
  return { ms, cpuMs: r.cpuUs / 1000 };
}

/** Polls `url` with no pause beyond 1 ms until it answers 200; returns ms since `since`. */
async function firstOk(url: string, since: number, proc: Bun.Subprocess, limitMs: number): Promise<number> {
  for (;;) {
    const ok = await fetch(url).then(
      async (r) => {
        await r.arrayBuffer();
        return r.status === 200;
      },
      () => false,
    );
    if (ok) return performance.now() - since;
    if (proc.exitCode !== null) throw new Error(`process exited with ${proc.exitCode} before ${url} answered 200`);
    if (performance.now() - since > limitMs) throw new Error(`${url} did not answer 200 within ${limitMs} ms`);
    await Bun.sleep(1);
  }
}

async function drive(base: string, load: LoadPlan): Promise<number> {
  let left = load.requests;
  let failures = 0;
  const worker = async () => {
    while (left-- > 0) {
      const r = await fetch(load.request(base));
      await r.arrayBuffer();
      if (r.status !== 200) failures++;
    }
  };
  await Promise.all(Array.from({ length: load.concurrency }, worker));
  return failures;
}

/**
 * Spawns `exe` on a free port with `env`, measures, stops it with SIGTERM and checks it exits 0. Output is discarded
 * (a pipe nobody reads would fill up); a failed start is reported with the exit code.
 */
export async function measureSpawn(exe: string, env: Record<string, string>, load?: LoadPlan): Promise<SpawnFigures> {
  const port = freePort();
  const base = `http://127.0.0.1:${port}`;
  const started = performance.now();
  const proc = Bun.spawn([exe], { env: { ...env, PORT: String(port) }, stdout: "ignore", stderr: "ignore", stdin: "ignore" });
  try {
    const healthzMs = await firstOk(`${base}/healthz`, started, proc, 30_000);
    const readyzMs = await firstOk(`${base}/readyz`, started, proc, 30_000);
    const readyzCpuMs = processCpuMs(proc.pid);
    await Bun.sleep(1_000);
    const figures: SpawnFigures = { healthzMs, readyzMs, readyzCpuMs, idleRssMb: rssMb(proc.pid), idleAnonMb: rssMb(proc.pid, "RssAnon") };
    if (load) {
      figures.loadFailures = await drive(base, load);
      await Bun.sleep(1_000);
      figures.loadedRssMb = rssMb(proc.pid);
    }
    return figures;
  } finally {
    proc.kill("SIGTERM");
    const code = await Promise.race([proc.exited, Bun.sleep(15_000).then(() => "no exit within 15 s")]);
    if (code !== 0) {
      proc.kill("SIGKILL");
      // A bench that leaves a broken shutdown unnoticed would report figures of a service that cannot be run.
      console.error(`startup bench: ${exe} did not exit 0 on SIGTERM (${code})`);
    }
  }
}
