// The shutdown sequence from DESIGN.md: flip readiness and answer with Connection: close, wait the drain delay, stop the listener, close resources, exit.
import type { Health } from "../health/health.ts";
import type { Closer } from "../lifecycle/closer.ts";
import type { Logger } from "../logging/logger.ts";
import type { Listener } from "./listen.ts";

/**
 * Ends the long requests still open near the end of the grace period (the inference service's streams), each with an
 * answer that says so, so the listener stops before the hard exit instead of cutting them off mid-answer.
 */
export interface Interrupter {
  name: string;
  /** Ends what is still open; returns how many. */
  interrupt(): number;
}

export interface ShutdownOptions {
  /** Every listener of the process (the dev runner hosts several services in one process). */
  listeners: Listener[];
  healths: Health[];
  log: Logger;
  drainDelayMs: number;
  graceMs: number;
  closers?: Closer[];
  interrupters?: Interrupter[];
  exit?: (code: number) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * When the interrupters run, from the start of the shutdown: before the grace period ends by a fifth of it, at most
 * 2 s, which leaves the ended requests time to write their last bytes and the closers time to run.
 */
export const interruptAtMs = (graceMs: number): number => graceMs - Math.min(2_000, graceMs / 5);

/** Runs the sequence once; returns the exit code it used (0 clean, 1 when the grace period ran out or a closer failed). */
export function createShutdown(opts: ShutdownOptions): (reason: string) => Promise<number> {
  let running: Promise<number> | undefined;
  const exit = opts.exit ?? ((code: number) => process.exit(code));

  const sequence = async (reason: string): Promise<number> => {
    const started = performance.now();
    opts.log.info("shutdown started", { reason, drain_delay_ms: opts.drainDelayMs, grace_ms: opts.graceMs });
    for (const h of opts.healths) h.startDraining();
    const interrupters = opts.interrupters ?? [];
    const interrupt = interrupters.length
      ? setTimeout(() => {
          for (const i of interrupters) {
            const n = i.interrupt();
            if (n > 0) opts.log.warn("ended requests the shutdown would have cut off", { resource: i.name, count: n });
          }
        }, interruptAtMs(opts.graceMs))
      : undefined;
    // Proxies that only check passively (nginx) keep sending during the delay: each answer now closes its connection,
    // so none is left in their keep-alive pools to be reused just as the listener closes. Idle connections are not
    // closed here: nginx reuses its most recently used connection first, so closing the idle ones now would race the
    // requests about to be written on them; those left unused through the delay are closed by stop() below.
    for (const l of opts.listeners) l.drain();
    await sleep(opts.drainDelayMs);
    await Promise.all(opts.listeners.map((l) => l.stop(false)));
    clearTimeout(interrupt);
    opts.log.info("listener stopped, in-flight requests finished");
    let code = 0;
    for (const c of opts.closers ?? []) {
      try {
        await c.close();
        opts.log.info("closed", { resource: c.name });
      } catch (err) {
        code = 1;
        opts.log.error("close failed", { resource: c.name, err: err instanceof Error ? err.message : String(err) });
      }
    }
    opts.log.info("shutdown complete", { duration_ms: Math.round(performance.now() - started) });
    return code;
  };

  return (reason) => {
    running ??= (async () => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const deadline = new Promise<number>((resolve) => {
        timer = setTimeout(() => {
          opts.log.error("shutdown grace period exceeded; forcing exit", { grace_ms: opts.graceMs });
          for (const l of opts.listeners) void l.stop(true);
          resolve(1);
        }, opts.graceMs);
      });
      const code = await Promise.race([sequence(reason), deadline]);
      clearTimeout(timer);
      exit(code);
      return code;
    })();
    return running;
  };
}

/** Wires SIGTERM and SIGINT to the shutdown (Bun as PID 1 ignores SIGTERM without a handler). */
export function onTerminationSignals(shutdown: (reason: string) => unknown): void {
  for (const sig of ["SIGTERM", "SIGINT"] as const) process.on(sig, () => void shutdown(sig));
}
