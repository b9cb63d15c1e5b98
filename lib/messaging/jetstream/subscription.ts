// Runs a durable pull consumer: hands messages to the handler with bounded concurrency, survives reconnects, and stops without redeliveries.
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
  const messages = await consumer.consume({ max_messages: Math.max(1, opts.batch), expires: deps.expiresMs });

  void (async () => {
    for await (const n of messages.status()) {
      if (n.type === "heartbeats_missed") log.warn("consumer heartbeats missed; re-checking the consumer", { count: n.count });
      else if (n.type === "consumer_not_found" || n.type === "stream_not_found" || n.type === "consumer_deleted") log.warn(`consumer status: ${n.type}`);
      else if (n.type === "exceeded_limits" || n.type === "no_responders") log.warn(`consumer status: ${n.type}`);
    }
  })().catch(() => {});

  const inFlight = new Set<Promise<void>>();
  let stopping = false;

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

  const loop = (async () => {
    try {
      for await (const m of messages) {
        // Every message that reached us is handed to the handler, even during stop(): dropping it would
        // leave it to come back after ack_wait as a redelivery caused by the stop.
        while (inFlight.size >= concurrency) await Promise.race(inFlight);
        const p = handle(m).finally(() => inFlight.delete(p));
        inFlight.add(p);
      }
    } catch (err) {
      if (!stopping) log.error("consumer ended with an error", { err: describeError(err) });
    } finally {
      await Promise.allSettled([...inFlight]);
    }
  })();

  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      stopping = true;
      // Unsubscribing through a drain makes the server drop the open pull request (no interest) and lets every
      // message it already sent arrive and be handled; the flush behind the drain confirms nothing more is coming.
      const sub = innerSub(messages);
      const drained = sub && deps.connected() && !sub.isClosed() ? await fulfilsWithin(sub.drain(), deps.drainTimeoutMs) : false;
      // Ends the iterator after what is already queued; a no-op when the drain did it.
      if (!drained) await messages.close().catch(() => {});
      await loop;
      log.info("consumer stopped");
    })();
    return stopped;
  };

  const closed = loop.then(() => {});
  log.info("consumer started", { batch: opts.batch, concurrency });
  return { stop, closed };
}
