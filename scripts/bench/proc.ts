// Benchmark plumbing: bounded child processes, free ports and CPU accounting from /proc (Linux).
import { readdirSync, readFileSync } from "node:fs";

export interface ChildResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** CPU the child used (user + system), microseconds. */
  cpuUs: number;
}

const running = new Set<Bun.Subprocess>();

/** Kills every child still running (used by the cleanup path on errors and Ctrl-C). */
export function killAllChildren(): void {
  for (const p of running) p.kill("SIGKILL");
}

/** Runs a command to completion with a hard time limit; stdout and stderr are captured. */
export async function runChild(cmd: string[], opts: { timeoutMs: number; env?: Record<string, string | undefined>; cwd?: string }): Promise<ChildResult> {
  const p = Bun.spawn(cmd, { stdout: "pipe", stderr: "pipe", env: opts.env ?? process.env, cwd: opts.cwd });
  running.add(p);
  const timer = setTimeout(() => p.kill("SIGKILL"), opts.timeoutMs);
  try {
    const [stdout, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
    const usage = p.resourceUsage();
    const cpuUs = usage ? Number(usage.cpuTime.user + usage.cpuTime.system) : 0;
    return { code: p.signalCode ? null : code, stdout, stderr, cpuUs };
  } finally {
    clearTimeout(timer);
    running.delete(p);
  }
}

/** Starts a long-running child (the service); the caller stops it. */
export function startChild(cmd: string[], opts: { env: Record<string, string | undefined>; cwd: string; logFd: number }): Bun.Subprocess {
  const p = Bun.spawn(cmd, { env: opts.env, cwd: opts.cwd, stdout: opts.logFd, stderr: opts.logFd, stdin: "ignore" });
  running.add(p);
  p.exited.then(() => running.delete(p));
  return p;
}

/** Waits up to 20 s until `url` answers below 500; throws when `proc` exits first or time runs out. */
export async function waitFor(url: string, what: string, proc: { exitCode: number | null }): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (
      await fetch(url).then(
        (r) => r.status < 500,
        () => false,
      )
    )
      return;
    if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`${what} did not start (exit code ${proc.exitCode})`);
    await Bun.sleep(50);
  }
}

/** A TCP port nobody listens on right now. */
export function freePort(): number {
  const s = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
  const port = s.port;
  s.stop(true);
  if (port === undefined) throw new Error("could not pick a free port");
  return port;
}

const TICK_US = 10_000; // USER_HZ is 100 on Linux: /proc reports CPU time in 10 ms ticks.

interface ProcStat {
  comm: string;
  ppid: number;
  cpuUs: number;
  childrenCpuUs: number;
}

function procStat(pid: number | string): ProcStat | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined; // gone
  }
  // "pid (comm) state ppid ..."; utime stime cutime cstime are fields 14-17.
  const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const n = (i: number) => Number(f[i] ?? 0);
  return { comm, ppid: n(1), cpuUs: (n(11) + n(12)) * TICK_US, childrenCpuUs: (n(13) + n(14)) * TICK_US };
}

/** user + system CPU of one process so far, microseconds (all its threads). */
export function processCpuUs(pid: number): number {
  return procStat(pid)?.cpuUs ?? 0;
}

/**
 * CPU used so far by the local PostgreSQL server, microseconds: every live postgres process plus what the
 * postmaster has collected from exited backends (cutime/cstime), so deltas stay right while backends come
 * and go. Undefined when no local postgres process is visible (e.g. a remote server). Counts every database's
 * backends; scripts/bench/cpu-meter.ts attributes per database.
 */
export function postgresCpuUs(): number | undefined {
  const procs = new Map<number, ProcStat>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const s = procStat(name);
    if (s?.comm === "postgres") procs.set(Number(name), s);
  }
  if (procs.size === 0) return undefined;
  let total = 0;
  for (const s of procs.values()) total += s.cpuUs + (procs.has(s.ppid) ? 0 : s.childrenCpuUs);
  return total;
}

/** Whole-machine busy CPU time over all cores so far, microseconds. */
export function machineBusyUs(): number {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
  // cpu  user nice system idle iowait irq softirq steal (guest time is already inside user)
  const v = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const at = (i: number) => v[i] ?? 0;
  return (at(0) + at(1) + at(2) + at(5) + at(6) + at(7)) * TICK_US;
}

export interface CpuSnapshot {
  busyUs: number;
  postgresUs: number | undefined;
  pids: Record<string, number>;
}

/** Machine, local PostgreSQL and the named processes' CPU counters right now. */
export function cpuSnapshot(pids: Record<string, number | undefined> = {}): CpuSnapshot {
  const named: Record<string, number> = {};
  for (const [name, pid] of Object.entries(pids)) if (pid !== undefined) named[name] = processCpuUs(pid);
  return { busyUs: machineBusyUs(), postgresUs: postgresCpuUs(), pids: named };
}

/** CPU used between two snapshots; `children` adds processes measured by their own rusage (e.g. wrk, pgbench). */
export interface CpuUse {
  busyUs: number;
  postgresUs: number | undefined;
  byProcess: Record<string, number>;
  /** Busy time none of the above accounts for: other processes on the machine (and some kernel time). */
  otherUs: number;
}

export function cpuDelta(a: CpuSnapshot, b: CpuSnapshot, children: Record<string, number> = {}): CpuUse {
  const byProcess: Record<string, number> = {};
  for (const name of Object.keys(b.pids)) byProcess[name] = (b.pids[name] ?? 0) - (a.pids[name] ?? 0);
  Object.assign(byProcess, children);
  const postgresUs = a.postgresUs !== undefined && b.postgresUs !== undefined ? b.postgresUs - a.postgresUs : undefined;
  const busyUs = b.busyUs - a.busyUs;
  const known = Object.values(byProcess).reduce((x, y) => x + y, 0) + (postgresUs ?? 0);
  return { busyUs, postgresUs, byProcess, otherUs: busyUs - known };
}

/** More than 10 % of the busy time went to processes outside the benchmark. */
export const isNoisy = (c: CpuUse): boolean => c.postgresUs !== undefined && c.otherUs > 0.1 * c.busyUs;

/** "machine 480 = service 180 + wrk 25 + postgres 265 + other 10" in µs per operation. */
export function describeCpu(c: CpuUse, ops: number): string {
  const per = (us: number) => (ops > 0 ? (us / ops).toFixed(0) : "-");
  const parts = Object.entries(c.byProcess).map(([k, v]) => `${k} ${per(v)}`);
  parts.push(c.postgresUs === undefined ? "postgres n/a (not local)" : `postgres ${per(c.postgresUs)}`, `other ${per(c.otherUs)}`);
  const warn = isNoisy(c) ? `   <- NOISY: ${((c.otherUs / c.busyUs) * 100).toFixed(0)} % of the CPU went to other processes` : "";
  return `CPU µs/op: machine ${per(c.busyUs)} = ${parts.join(" + ")}${warn}`;
}

/**
 * Runs a bench's main and exits with its code: 1 (and the message) when it throws, 130 on Ctrl-C or SIGTERM; every
 * child still running is killed on the way out, so a broken run leaves no process behind.
 */
export function runBench(name: string, main: () => Promise<number>): void {
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    process.on(sig, () => {
      killAllChildren();
      process.exit(130);
    });
  }
  main().then(
    (code) => process.exit(code),
    (err) => {
      console.error(`${name} failed: ${err instanceof Error ? err.message : String(err)}`);
      killAllChildren();
      process.exit(1);
    },
  );
}
