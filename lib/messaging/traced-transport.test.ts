// Producer and consumer spans: the message's stored traceparent is the producer's parent, the producer the consumer's.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { createLogger } from "../logging/logger.ts";
import { installTestTracing, type TestTracing } from "../telemetry/testing.ts";
import { withMessagingSpans } from "./traced-transport.ts";
import type { ConsumeOptions, Delivery, OutgoingMessage, Transport } from "./types.ts";

const TRACE = "0af7651916cd43dd8448eb211c80319c";
const STORED_SPAN = "b7ad6b7169203331";

/** Just enough of a transport: publish stores, consume hands every stored message to the handler. */
function fakeTransport() {
  const stored: OutgoingMessage[] = [];
  const settled: string[] = [];
  const t = {
    kind: "fake",
    publish: async (msg: OutgoingMessage) => {
      stored.push(msg);
      return { stream: "ORDERS", seq: stored.length, duplicate: false };
    },
    consume: async (_config: unknown, o: ConsumeOptions) => {
      for (const [i, m] of stored.entries()) {
        const d: Delivery = {
          stream: "ORDERS",
          seq: i + 1,
          subject: m.subject,
          id: m.id,
          data: m.data,
          headers: m.headers ?? {},
          publishedAt: new Date(),
          deliveryCount: 1,
          ack: async () => void settled.push("ack"),
          nak: async () => void settled.push("nak"),
          term: async () => void settled.push("term"),
          working: async () => {},
        };
        await o.handler(d);
      }
      return { stop: async () => {}, closed: Promise.resolve() };
    },
  } as unknown as Transport;
  return { t, stored, settled };
}

describe("messaging spans", () => {
  let tracing: TestTracing;
  beforeAll(() => {
    tracing = installTestTracing();
  });
  afterAll(() => tracing.close());

  test("publish → producer span (parent: the stored context) → consumer span (parent: the producer); logs carry the ids", async () => {
    const lines: Record<string, unknown>[] = [];
    const log = createLogger({ service: "test", level: "debug", sink: (l) => lines.push(JSON.parse(l)), context: tracing.logContext });
    const fake = fakeTransport();
    const t = withMessagingSpans(fake.t, tracing, log);
    const headers = { traceparent: `00-${TRACE}-${STORED_SPAN}-01` };
    await t.publish({ subject: "orders.placed", id: "evt-1", data: new Uint8Array(), headers });
    expect(headers.traceparent).toBe(`00-${TRACE}-${STORED_SPAN}-01`); // the caller's record is not changed
    const consumerConfig = { stream: "ORDERS", durable: "n", filterSubjects: [], ackWaitMs: 1, maxDeliver: 1, maxAckPending: 1 };
    await t.consume(consumerConfig, {
      batch: 1,
      handler: async (d) => {
        log.info("handling");
        await d.nak(0);
      },
    });
    const [producer, consumer] = tracing.spans();
    expect(producer).toMatchObject({ name: "publish orders.placed", kind: SpanKind.PRODUCER });
    expect(producer?.spanContext().traceId).toBe(TRACE);
    expect(producer?.parentSpanContext?.spanId).toBe(STORED_SPAN);
    expect(fake.stored[0]?.headers?.traceparent).toBe(`00-${TRACE}-${producer?.spanContext().spanId}-01`);
    expect(consumer).toMatchObject({ name: "process orders.placed", kind: SpanKind.CONSUMER });
    expect(consumer?.parentSpanContext?.spanId).toBe(producer?.spanContext().spanId as string);
    expect(consumer?.status.code).toBe(SpanStatusCode.ERROR); // nak'ed: processing failed
    expect(fake.settled).toEqual(["nak"]);
    expect(lines.find((l) => l.msg === "message published")).toMatchObject({ trace_id: TRACE, span_id: producer?.spanContext().spanId });
    expect(lines.find((l) => l.msg === "handling")).toMatchObject({ trace_id: TRACE, span_id: consumer?.spanContext().spanId });
  });
});
