// Runs a durable pull consumer: hands messages to the handler with bounded concurrency, survives reconnects and
// consumer-leader changes, and stops without redeliveries.
import type { ConsumerMessages, JetStreamClient, JsMsg } from "@nats-io/jetstream";
import type { NatsConnection, Subscription as NatsSubscription } from "@nats-io/nats-core";
import type { Logger } from "../../logging/logger.ts";
import type { ConsumeOptions, ConsumerConfig, Subscription } from "../types.ts";
import { type SettleOptions, toDelivery } from "./delivery.ts";
import { ApiCode, apiCode, describeError } from "./errors.ts";
import { fulfilsWithin } from "./timeout.ts";

export interface SubscriptionDeps {
  nc: NatsConnection;
  js: JetStreamClient;
  connected(): boolean;
  log: Logger;
  settle: SettleOptions;
  /** How long a pull request stays open on the server; heartbeats come every half of it. */
  expiresMs: number;
  /** Upper bound on waiting for the server to confirm the end of the pull during stop(). */
  drainTimeoutMs: number;
}

/** The advisory the new leader of a consumer sends once elected (the old leader's open pull requests died with it). */
export const consumerLeaderElected = (stream: string, durable: string) => `$JS.EVENT.ADVISORY.CONSUMER.LEADER_ELECTED.${stream}.${durable}`;

/** The pull's own core subscription (not part of the public ConsumerMessages type, present in @nats-io/jetstream 3.x). */
const innerSub = (messages: ConsumerMessages): NatsSubscription | undefined => (messages as unknown as { sub?: NatsSubscription }).sub;

export async function startSubscription(config: ConsumerConfig, opts: ConsumeOptions, deps: SubscriptionDeps): Promise<Subscription> {
  const { nc, js, settle } = deps;
  const log = deps.log.child({ stream: config.stream, durable: config.durable });
  const concurrency = Math.max(1, opts.concurrency ?? 1);
  const consumer = await js.consumers.get(config.stream, config.durable).catch((err) => {
    const code = apiCode(err);
    if (code === ApiCode.ConsumerNotFound || code === ApiCode.StreamNotFound) {
      throw new Error(`consumer ${config.durable} of stream ${config.stream} does not exist (ensureConsumer first)`, { cause: err });
    }
    throw err;
  });
  const open = async () => {
    const m = await consumer.consume({ max_messages: Math.max(1, opts.batch), expires: deps.expiresMs });
    void (async () => {
      for await (const n of m.status()) {
        if (n.type === "heartbeats_missed") log.warn("consumer heartbeats missed; re-checking the consumer", { count: n.count });
        else if (n.type === "consumer_not_found" || n.type === "stream_not_found" || n.type === "consumer_deleted") log.warn(`consumer status: ${n.type}`);
        else if (n.type === "exceeded_limits" || n.type === "no_responders") log.warn(`consumer status: ${n.type}`);
      }
    })().catch(() => {});
    return m;
  };
  let messages = await open();

  const inFlight = new Set<Promise<void>>();
  let stopping = false;

  /** Ends a pull: its iterator yields what is already queued, then ends. */
  async function endPull(m: ConsumerMessages): Promise<void> {
    // Unsubscribing through a drain makes the server drop the open pull request (no interest) and lets every
    // message it already sent arrive and be handled; the flush behind the drain confirms nothing more is coming.
    const sub = innerSub(m);
    const drained = sub && deps.connected() && !sub.isClosed() ? await fulfilsWithin(sub.drain(), deps.drainTimeoutMs) : false;
    // A no-op when the drain did it.
    if (!drained) await m.close().catch(() => {});
  }

  /*
   * A pull request lives on the consumer's leader only. When that leader dies, nats.js notices after two missed
   * heartbeats (expires: 10–15 s) and then asks for the consumer's info; an info that fails during the election (after
   * a reconnect it is asked at once) is retried only after a jittered `expires`, with the heartbeat watch off. The
   * consumer then sits idle for 10–30 s while messages pile up (19 s in the test). Recovery here does not wait for
   * that: the new leader's advisory (sent once it is elected, so a pull reaches it) replaces the pull at once. An
   * advisory missed (sent while this connection was reconnecting) leaves recovery to nats.js, as before.
   */
  let replacing = false;
  const replace = (why: string) => {
    if (stopping || replacing) return;
    replacing = true;
    log.info("consumer pull replaced", { reason: why });
    // The loop opens a new pull once this one's iterator has ended.
    void endPull(messages);
  };
  const advisories = nc.subscribe(consumerLeaderElected(config.stream, config.durable), {
    callback: () => replace("consumer leader elected"),
  });

  /** Runs the handler for one message; never rejects (a failure is logged and the message nak'ed for redelivery). */
  const handle = async (m: JsMsg) => {
    let tracked: ReturnType<typeof toDelivery> | undefined;
    try {
      tracked = toDelivery(nc, m, log, settle);
      await opts.handler(tracked.delivery);
    } catch (err) {
      log.error("message handler failed; asking for redelivery", {
        seq: tracked?.delivery.seq,
        subject: m.subject,
        deliveryCount: tracked?.delivery.deliveryCount,
        err: describeError(err),
      });
      if (tracked && !tracked.settled()) {
        await tracked.delivery.nak(0).catch((e) => log.warn("nak after handler failure not confirmed", { seq: tracked?.delivery.seq, err: describeError(e) }));
      }
    }
  };

  /** A new pull for a replaced one; undefined when stop() came meanwhile. */
  const reopen = async (): Promise<ConsumerMessages | undefined> => {
    for (;;) {
      if (stopping) return undefined;
      try {
        const next = await open();
        if (!stopping) return next;
        await next.close().catch(() => {});
        return undefined;
      } catch (err) {
        // consume() asks the server nothing (the consumer is already known), so this is rare: try again shortly.
        log.warn("consumer pull not replaced; retrying", { err: describeError(err) });
        await new Promise((r) => setTimeout(r, 1_000));
      }
    }
  };

  const loop = (async () => {
    try {
      for (;;) {
        for await (const m of messages) {
          // Every message that reached us is handed to the handler, even during stop(): dropping it would
          // leave it to come back after ack_wait as a redelivery caused by the stop.
          while (inFlight.size >= concurrency) await Promise.race(inFlight);
          const p = handle(m).finally(() => inFlight.delete(p));
          inFlight.add(p);
        }
        // The iterator ended: stop(), a fatal broker answer (the caller resubscribes), or a replacement.
        if (stopping || !replacing) break;
        const next = await reopen();
        replacing = false;
        if (!next) break;
        messages = next;
      }
    } catch (err) {
      if (!stopping) log.error("consumer ended with an error", { err: describeError(err) });
    } finally {
      advisories.unsubscribe();
      await Promise.allSettled([...inFlight]);
    }
  })();

  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      stopping = true;
      await endPull(messages);
      await loop;
      log.info("consumer stopped");
    })();
    return stopped;
  };

  const closed = loop.then(() => {});
  log.info("consumer started", { batch: opts.batch, concurrency });
  return { stop, closed };
}
