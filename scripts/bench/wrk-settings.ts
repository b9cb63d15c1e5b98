// The run-length flags the wrk benches share (--duration, --warmup, --rounds, --connections), each with its BENCH_* variable.
/** parseArgs options of the shared flags; a bench spreads its own beside them. */
export const WRK_FLAGS = {
  duration: { type: "string" as const },
  warmup: { type: "string" as const },
  rounds: { type: "string" as const },
  connections: { type: "string" as const },
};

export function positiveInt(v: string | undefined, fallback: number): number {
  const n = Number(v ?? fallback);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`not a positive whole number: ${v}`);
  return n;
}

export interface WrkSettings {
  /** Seconds of each measured c=N run; c=1 runs take half. */
  duration: number;
  /** Seconds of warm-up before each measured run. */
  warmup: number;
  /** Interleaved rounds. */
  rounds: number;
  /** Connections of the throughput runs. */
  connections: number;
}

/** Flags first, then BENCH_DURATION, BENCH_WARMUP, BENCH_ROUNDS, BENCH_CONNECTIONS, then 10 s, 2 s, 3, 32. */
export function wrkSettings(flags: Partial<Record<keyof typeof WRK_FLAGS, string>>, env: Record<string, string | undefined>): WrkSettings {
  return {
    duration: positiveInt(flags.duration ?? env.BENCH_DURATION, 10),
    warmup: positiveInt(flags.warmup ?? env.BENCH_WARMUP, 2),
    rounds: positiveInt(flags.rounds ?? env.BENCH_ROUNDS, 3),
    connections: positiveInt(flags.connections ?? env.BENCH_CONNECTIONS, 32),
  };
}
