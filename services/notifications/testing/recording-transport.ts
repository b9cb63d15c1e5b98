// Test helper: wraps any Transport and records every delivery and how it was settled (ack, nak with delay, term).
import type { Delivery, Transport } from "../../../lib/messaging/types.ts";

export interface RecordedDelivery {
  stream: string;
  seq: number;
  subject: string;
  id: string | undefined;
  deliveryCount: number;
  at: number;
  /** How it was settled; `at` is when the call was made (a nak's delay counts from then), recorded once the broker confirmed. */
  settled?: { as: "ack" | "nak" | "term"; delayMs?: number; reason?: string; at: number };
}

export interface RecordingTransport extends Transport {
  readonly deliveries: RecordedDelivery[];
  /** Deliveries of one message id, in order. */
  of(id: string): RecordedDelivery[];
}

export function recordingTransport(inner: Transport): RecordingTransport {
  const deliveries: RecordedDelivery[] = [];
  const wrap = (d: Delivery): Delivery => {
    const rec: RecordedDelivery = { stream: d.stream, seq: d.seq, subject: d.subject, id: d.id, deliveryCount: d.deliveryCount, at: Date.now() };
    deliveries.push(rec);
    // Fields copied one by one: a transport's Delivery may expose them as getters, which a spread would miss.
    return {
      stream: d.stream,
      seq: d.seq,
      subject: d.subject,
      id: d.id,
      data: d.data,
      headers: d.headers,
      publishedAt: d.publishedAt,
      deliveryCount: d.deliveryCount,
      ack: async () => {
        const at = Date.now();
        await d.ack();
        rec.settled = { as: "ack", at };
      },
      nak: async (delayMs) => {
        const at = Date.now();
        await d.nak(delayMs);
        rec.settled = { as: "nak", delayMs, at };
      },
      term: async (reason) => {
        const at = Date.now();
        await d.term(reason);
        rec.settled = { as: "term", reason, at };
      },
      working: () => d.working(),
    };
  };
  return {
    kind: inner.kind,
    deliveries,
    of: (id) => deliveries.filter((d) => d.id === id),
    ensureStream: (c) => inner.ensureStream(c),
    ensureConsumer: (c) => inner.ensureConsumer(c),
    publish: (m, o) => inner.publish(m, o),
    consume: (c, o) => inner.consume(c, { ...o, handler: (d) => o.handler(wrap(d)) }),
    consumerLag: (s, d) => inner.consumerLag(s, d),
    countMessages: (s) => inner.countMessages(s),
    listMessages: (s, o) => inner.listMessages(s, o),
    getMessage: (s, q) => inner.getMessage(s, q),
    deleteMessage: (s, q) => inner.deleteMessage(s, q),
    watchFaults: (s, l) => inner.watchFaults(s, l),
    ping: () => inner.ping(),
    close: () => inner.close(),
  };
}
