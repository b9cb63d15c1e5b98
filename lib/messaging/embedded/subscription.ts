// One consume() of the embedded broker: a poll loop claiming batches, a bounded pool of handlers, and a clean stop.
import type { Logger } from "../../logging/logger.ts";
import type { ConsumeOptions, Delivery, Subscription } from "../types.ts";
import { type Claimed, type DeliveryStore, NO_SUCH_CONSUMER } from "./deliveries.ts";

export interface SubscriptionOptions extends ConsumeOptions {
  store: DeliveryStore;
  ackWaitMs: number;
  pollIntervalMs: number;
  log: Logger;
}

export interface RunningSubscription extends Subscription {
  /** New messages may be there (a publish on this transport): claim now instead of at the next poll. */
  wake(): void;
}

/** A buffered delivery with less than this share of its ack wait left is released instead of started (another poller may get it soon). */
const MIN_REMAINING_SHARE = 0.25;

export function startSubscription(opts: SubscriptionOptions): RunningSubscription {
  const { store, handler, log } = opts;
  const concurrency = Math.max(1, opts.concurrency ?? 1);
  const capacity = Math.max(opts.batch, concurrency);
  const buffer: Claimed[] = [];
  const inflight = new Set<Promise<void>>();
  let stopping = false;
  let dirty = false; // a wake arrived since the last claim started
  let signal: (() => void) | undefined;
  let waitingFor: "slot" | "work" | "backoff" | undefined;
  let stopped: Promise<void> | undefined;
  let resolveClosed: () => void = () => {};
  const closed = new Promise<void>((r) => {
    resolveClosed = r;
  });

  /** Ends the current pause if it waits for `what` (any pause when omitted). */
  const notify = (what?: "slot" | "work") => {
    if (what && what !== waitingFor) return;
    const s = signal;
    signal = undefined;
    s?.();
  };
  /** Sleeps until notified (a free handler slot or new work, as asked; stop) or `ms` pass. */
  const pause = (ms: number, what: "slot" | "work" | "backoff") =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        if (signal === done) signal = undefined;
        waitingFor = undefined;
        resolve();
      }
      signal = done;
      waitingFor = what;
    });

  const run = async (d: Delivery) => {
    try {
      await handler(d);
    } catch (err) {
      log.error("message handler failed; redelivering", { stream: d.stream, seq: d.seq, subject: d.subject, delivery: d.deliveryCount, error: String(err) });
      await d.nak(0).catch((e) => log.warn("nak after a handler failure failed", { seq: d.seq, error: String(e) }));
    }
  };

  /** Starts handlers while slots are free, in claim (stream) order. */
  const pump = () => {
    const late: Delivery[] = [];
    while (!stopping && inflight.size < concurrency && buffer.length > 0) {
      const next = buffer.shift() as Claimed;
      if (Date.now() - next.claimedAt > opts.ackWaitMs * (1 - MIN_REMAINING_SHARE)) {
        late.push(next.delivery);
        continue;
      }
      const p = run(next.delivery).finally(() => {
        inflight.delete(p);
        pump();
        notify("slot");
      });
      inflight.add(p);
    }
    if (late.length > 0) store.release(late).catch((err) => log.warn("releasing late deliveries failed", { error: String(err) }));
  };

  const loop = async () => {
    let failures = 0;
    while (!stopping) {
      const want = capacity - buffer.length - inflight.size;
      if (buffer.length >= concurrency || want <= 0) {
        await pause(opts.pollIntervalMs, "slot");
        continue;
      }
      dirty = false;
      let got: Claimed[];
      try {
        got = await store.claim(want);
        failures = 0;
      } catch (err) {
        if ((err as { code?: string }).code === NO_SUCH_CONSUMER) {
          log.error("consumer no longer exists; subscription ends", { error: String(err) });
          return;
        }
        failures++;
        log.warn("claiming messages failed; retrying", { error: String(err), failures });
        await pause(Math.min(5_000, opts.pollIntervalMs * 2 ** Math.min(failures, 7)), "backoff");
        continue;
      }
      buffer.push(...got);
      pump();
      if (got.length < want && !dirty && !stopping) await pause(opts.pollIntervalMs, "work");
    }
  };

  const looping = loop().catch((err) => log.error("subscription loop failed", { error: String(err) }));
  void looping.then(() => {
    if (!stopping) void stop();
  });

  const stop = () =>
    (stopped ??= (async () => {
      stopping = true;
      notify();
      await looping;
      const unseen = buffer.splice(0).map((c) => c.delivery);
      await store.release(unseen).catch((err) => log.warn("releasing unstarted deliveries failed; they come back after ack wait", { error: String(err) }));
      while (inflight.size > 0) await Promise.allSettled([...inflight]);
      resolveClosed();
    })());

  return {
    stop,
    closed,
    wake() {
      dirty = true;
      notify("work");
    },
  };
}
