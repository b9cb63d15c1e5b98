// Where a run's CPU went, per database: like proc.ts's cpuSnapshot/cpuDelta, but other databases' backends count as "other".
import { readdirSync, readFileSync } from "node:fs";
import { type CpuUse, machineBusyUs } from "./proc.ts";

export { type CpuUse, describeCpu, isNoisy } from "./proc.ts";

const TICK_US = 10_000; // USER_HZ is 100 on Linux: /proc reports CPU time in 10 ms ticks.
const SAMPLE_MS = 200;

function readStat(pid: number): { comm: string; ppid: number; cpuUs: number } | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined; // exited
  }
  // "pid (comm) state ppid ..."; utime and stime are fields 14 and 15.
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return { comm: stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")), ppid: Number(f[1]), cpuUs: (Number(f[11]) + Number(f[12])) * TICK_US };
}

/** Fraction of the machine (0..1) that was busy over the next `ms` milliseconds. */
export async function machineBusyShare(ms: number): Promise<number> {
  const a = machineBusyUs();
  await Bun.sleep(ms);
  return (machineBusyUs() - a) / (ms * 1000 * navigator.hardwareConcurrency);
}

let postmasterPid: number | undefined | null;

/** The local PostgreSQL server's main process, or null when none is visible (a remote server). */
function postmaster(): number | null {
  if (postmasterPid !== undefined) return postmasterPid;
  postmasterPid = null;
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const s = readStat(Number(name));
    if (s?.comm === "postgres" && readStat(s.ppid)?.comm !== "postgres") postmasterPid = Number(name);
  }
  return postmasterPid;
}

function postgresChildren(pm: number): number[] {
  try {
    return readFileSync(`/proc/${pm}/task/${pm}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/**
 * Starts measuring. Postgres processes are followed every 200 ms, so backends that start and exit during the
 * run (pgbench's) are counted up to their last sample; backends of other databases count as "other".
 * `database` is one name, or several (a run spanning services that each own a database).
 */
export function startCpuMeter(opts: { database: string | string[]; pids?: Record<string, number> }) {
  const databases = [opts.database].flat();
  const busy0 = machineBusyUs();
  const self0 = process.cpuUsage();
  const named0 = Object.fromEntries(Object.entries(opts.pids ?? {}).map(([k, pid]) => [k, readStat(pid)?.cpuUs ?? 0]));
  const pm = postmaster();
  // pid → CPU at the start (0 for processes born during the run), last CPU seen, whether it serves our database
  const pg = new Map<number, { first: number; last: number; ours: boolean }>();
  const sample = (initial: boolean) => {
    if (pm === null) return;
    for (const pid of [pm, ...postgresChildren(pm)]) {
      const s = readStat(pid);
      if (!s) continue;
      const known = pg.get(pid);
      if (known) {
        known.last = s.cpuUs;
        continue;
      }
      let title = "";
      try {
        title = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
      } catch {}
      // Backend titles read "postgres: 15/main: user db host(port) state"; shared processes carry no database.
      const isBackend = /\d\)|\[local\]/.test(title) || title.includes("autovacuum worker");
      pg.set(pid, { first: initial ? s.cpuUs : 0, last: s.cpuUs, ours: !isBackend || databases.some((d) => title.includes(` ${d} `)) });
    }
  };
  sample(true);
  const timer = setInterval(() => sample(false), SAMPLE_MS);

  return {
    /** Ends the measurement; `children` adds processes that already exited, measured by their rusage (wrk, pgbench). */
    stop(children: Record<string, number> = {}): CpuUse {
      clearInterval(timer);
      sample(false);
      const self = process.cpuUsage(self0);
      const byProcess: Record<string, number> = {};
      for (const [k, pid] of Object.entries(opts.pids ?? {})) byProcess[k] = (readStat(pid)?.cpuUs ?? 0) - (named0[k] ?? 0);
      Object.assign(byProcess, children, { bench: self.user + self.system });
      let postgresUs = 0;
      for (const p of pg.values()) if (p.ours) postgresUs += p.last - p.first;
      const busyUs = machineBusyUs() - busy0;
      const known = Object.values(byProcess).reduce((a, b) => a + b, 0) + postgresUs;
      return { busyUs, byProcess, postgresUs: pm === null ? undefined : postgresUs, otherUs: busyUs - known };
    },
  };
}
