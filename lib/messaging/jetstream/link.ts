// The transport's NATS connection, opened in the background: a process starts without a reachable server and connects when one answers.
import type { Logger } from "../../logging/logger.ts";
import { backoffDelay, wakeableSleep } from "../backoff.ts";
import { BrokerUnavailableError } from "../types.ts";
import { type ConnectionFaultListener, type ConnectionState, openConnection, redactUrl } from "./connect.ts";

export interface Link {
  /** The connection once established (it then reconnects by itself, forever). */
  readonly current: ConnectionState | undefined;
  /** The connection, waiting up to `ms` for the first one; BrokerUnavailableError when there is none by then. */
  get(ms: number): Promise<ConnectionState>;
  /** Stops connecting (the connection itself, once open, is closed by its owner). */
  stop(): void;
}

const FIRST_CONNECT_BACKOFF = { baseMs: 500, maxMs: 5_000 };

export function startLink(url: string, name: string, log: Logger, onFault: ConnectionFaultListener): Link {
  let current: ConnectionState | undefined;
  let stopped = false;
  let lastError = "connecting";
  const waiters = new Set<(c: ConnectionState) => void>();
  let cancelSleep: (() => void) | undefined;

  void (async () => {
    for (let attempt = 1; !stopped; attempt++) {
      try {
        const c = await openConnection(url, name, log, onFault);
        if (stopped) {
          await c.nc.close().catch(() => {});
          return;
        }
        current = c;
        for (const w of waiters) w(c);
        waiters.clear();
        return;
      } catch (err) {
        lastError = err instanceof Error ? err.message : String(err);
        const delay = backoffDelay(attempt, FIRST_CONNECT_BACKOFF);
        // One line when the server is first found missing, then one every 20 attempts: an outage is not a log flood.
        if (attempt === 1 || attempt % 20 === 0) log.warn("nats not reachable; connecting in the background", { err: lastError, attempt, retry_in_ms: delay });
        const pause = wakeableSleep(delay);
        cancelSleep = pause.wake;
        await pause.done;
      }
    }
  })();

  return {
    get current() {
      return current;
    },
    get(ms) {
      if (current) return Promise.resolve(current);
      if (stopped) return Promise.reject(new BrokerUnavailableError("NATS connection closed"));
      return new Promise<ConnectionState>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(done);
          reject(new BrokerUnavailableError(`NATS not reachable at ${redactUrl(url)} (${lastError})`));
        }, ms);
        const done = (c: ConnectionState) => {
          clearTimeout(timer);
          resolve(c);
        };
        waiters.add(done);
      });
    },
    stop() {
      stopped = true;
      cancelSleep?.();
    },
  };
}
