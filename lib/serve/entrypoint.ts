// The process frame every service shares: signals handled from the first moment, exit 1 on a failed start.
import type { Closer } from "../lifecycle/closer.ts";
import type { Logger } from "../logging/logger.ts";
import type { RunningService } from "./running-service.ts";
import { createShutdown, onTerminationSignals } from "./shutdown.ts";

export interface EntrypointOptions {
  log: Logger;
  drainDelayMs: number;
  graceMs: number;
  /**
   * Opens connections (pushing a closer for each onto `opened`, in opening order) and starts the service.
   * A signal before it resolves closes what is open and exits 0; a throw is logged and exits 1.
   */
  start: (opened: Closer[]) => Promise<RunningService>;
  /** Closed after everything else (e.g. flushing buffered log output). */
  last?: Closer[];
}

export function runEntrypoint(opts: EntrypointOptions): void {
  const { log } = opts;
  const opened: Closer[] = [];
  let shutdown: ((reason: string) => Promise<number>) | undefined;
  const closeOpened = async () => {
    for (const c of [...opened].reverse()) await c.close().catch(() => {});
    for (const c of opts.last ?? []) await c.close().catch(() => {});
  };
  onTerminationSignals(async (reason) => {
    if (shutdown) return shutdown(reason);
    log.info("stopped during startup", { reason });
    await closeOpened();
    process.exit(0);
  });
  opts
    .start(opened)
    .then((svc) => {
      shutdown = createShutdown({
        listeners: [svc.listener],
        healths: [svc.health],
        log,
        drainDelayMs: opts.drainDelayMs,
        graceMs: opts.graceMs,
        closers: [...svc.closers, ...[...opened].reverse(), ...(opts.last ?? [])],
        interrupters: svc.interrupters,
      });
    })
    .catch(async (err) => {
      log.error("startup failed", { err: err instanceof Error ? err.message : String(err) });
      await closeOpened();
      process.exit(1);
    });
}
