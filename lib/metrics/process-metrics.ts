// Process metrics: resident memory (where the runtime reports it), open file descriptors, uptime, start time and event-loop lag.
import { readdirSync } from "node:fs";
import type { GaugeSeries, Registry } from "./registry.ts";

/** The families every process exports besides those in deploy/metrics-contract.ts (no rule or panel reads them). */
export const PROCESS_CLOCK_FAMILIES = ["process_start_time_seconds", "process_uptime_seconds"] as const;

export const EVENT_LOOP_LAG_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] as const;

export interface ProcessMetricsOptions {
  /** How often the lag sampler's timer is due; the lag is how late it fires. */
  sampleIntervalMs?: number;
  now?: () => number;
}

export interface ProcessMetrics {
  /** Stops the lag sampler (its timer never keeps the process alive, but tests and shutdown stop it). */
  stop(): void;
}

type MemoryUsage = () => { rss: number };
const memoryUsage = (): MemoryUsage | undefined => (globalThis as { process?: { memoryUsage?: MemoryUsage } }).process?.memoryUsage;

export function startProcessMetrics(registry: Registry, opts: ProcessMetricsOptions = {}): ProcessMetrics {
  const now = opts.now ?? (() => performance.timeOrigin + performance.now());
  const startedMs = now();
  registry
    .gauge({ name: "process_start_time_seconds", help: "Start time of the process since the Unix epoch, in seconds" })
    .labels()
    .set(startedMs / 1000);
  const uptime: GaugeSeries = registry
    .gauge({ name: "process_uptime_seconds", help: "Seconds since the process started", collect: () => uptime.set((now() - startedMs) / 1000) })
    .labels();

  const usage = memoryUsage();
  if (usage) {
    const rss: GaugeSeries = registry
      .gauge({ name: "process_resident_memory_bytes", help: "Resident memory size in bytes", collect: () => rss.set(usage().rss) })
      .labels();
  }

  // Open descriptors (sockets included: the open connections) where /proc is readable, i.e. on Linux; absent elsewhere.
  if (countOpenFds() !== undefined) {
    const fds: GaugeSeries = registry
      .gauge({ name: "process_open_fds", help: "Open file descriptors (files and sockets)", collect: () => fds.set(countOpenFds() ?? Number.NaN) })
      .labels();
  }

  const lag = registry
    .histogram({
      name: "process_event_loop_lag_seconds",
      help: "How late a timer fired against its schedule (event-loop lag), sampled",
      buckets: EVENT_LOOP_LAG_BUCKETS,
    })
    .labels();
  const interval = opts.sampleIntervalMs ?? 100;
  let expected = performance.now() + interval;
  const timer = setInterval(() => {
    const t = performance.now();
    lag.observe(Math.max(0, t - expected) / 1000);
    expected = t + interval;
  }, interval);
  (timer as unknown as { unref?: () => void }).unref?.();
  return { stop: () => clearInterval(timer) };
}

/** Entries of /proc/self/fd (one is the directory handle of the listing itself, so one less); undefined when unreadable. */
export function countOpenFds(): number | undefined {
  try {
    return Math.max(0, readdirSync("/proc/self/fd").length - 1);
  } catch {
    return undefined;
  }
}
