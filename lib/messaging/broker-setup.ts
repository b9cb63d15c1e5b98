// Readies what a component needs on the broker (streams, a consumer) in the background, retrying with backoff, and reports its state.
import type { Logger } from "../logging/logger.ts";
import type { GaugeSeries, Registry } from "../metrics/registry.ts";
import { type BackoffPolicy, backoffDelay, wakeableSleep } from "./backoff.ts";

export interface BrokerSetup {
  /** True once `setup` succeeded. */
  readonly ready: boolean;
  /** Throws the last failure (or "waiting for the broker") until ready: a dependency check for /readyz's detail. */
  check(): Promise<void>;
  /** Resolves once `setup` succeeded; stays pending when stopped before. */
  readonly done: Promise<void>;
  /**
   * Resolves after the first attempt, whatever its outcome: a starting service awaits it, so with the broker up its
   * streams exist when start returns (as callers expect), and with the broker away start goes on after one try.
   */
  readonly firstAttempt: Promise<void>;
  /** Stops retrying and waits for an attempt in progress. */
  stop(): Promise<void>;
}

const SETUP_BACKOFF: BackoffPolicy = { baseMs: 250, maxMs: 10_000 };

/** messaging_ready{component}: 1 once the component's streams (and consumer) are set up, 0 while it waits for the broker. */
export function brokerReadyGauge(registry: Registry, component: string): GaugeSeries {
  return registry
    .gauge({
      name: "messaging_ready",
      help: "1 once the component's broker streams (and consumer) are set up, 0 while it waits for the broker",
      labelNames: ["component"],
    })
    .labels(component);
}

/**
 * Runs `setup` until it succeeds, waiting `backoff` between attempts. The process serves meanwhile: an orders
 * replica takes orders into its outbox while NATS is away. One log line per change of state or of reason.
 */
export function startBrokerSetup(
  component: string,
  setup: () => Promise<void>,
  opts: { log: Logger; gauge?: GaugeSeries; backoff?: BackoffPolicy },
): BrokerSetup {
  const { log } = opts;
  let ready = false;
  let stopped = false;
  let reason = "waiting for the broker";
  let wake: (() => void) | undefined;
  opts.gauge?.set(0);
  let markDone: () => void = () => {};
  let markTried: () => void = () => {};
  const firstAttempt = new Promise<void>((r) => {
    markTried = r;
  });
  const done = new Promise<void>((r) => {
    markDone = r;
  });

  const run = (async () => {
    for (let attempt = 1; !stopped; attempt++) {
      try {
        await setup();
        if (stopped) return markTried();
        ready = true;
        opts.gauge?.set(1);
        log.info("broker setup done", { component, attempts: attempt });
        // Done first: what waits for it (the relay's start) runs before the service's start goes on.
        markDone();
        markTried();
        return;
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        const delay = backoffDelay(attempt, opts.backoff ?? SETUP_BACKOFF);
        if (message !== reason || attempt === 1) log.warn("broker not ready; retrying in the background", { component, err: message, retry_in_ms: delay });
        reason = message;
        markTried();
        const pause = wakeableSleep(delay);
        wake = pause.wake;
        await pause.done;
      }
    }
  })();

  return {
    get ready() {
      return ready;
    },
    async check() {
      if (!ready) throw new Error(reason);
    },
    done,
    firstAttempt,
    async stop() {
      stopped = true;
      wake?.();
      await run;
    },
  };
}
