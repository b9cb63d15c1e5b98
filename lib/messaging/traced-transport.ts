// Producer spans on publish and consumer spans on processing, linked through the traceparent header of each message.
import { type Context, context, type Span, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type { Logger } from "../logging/logger.ts";
import { extractContext, failSpan, injectSpan } from "../telemetry/spans.ts";
import type { Tracing } from "../telemetry/tracer.ts";
import type { Delivery, Transport } from "./types.ts";

// Messaging semantic conventions are still incubating: names copied here, as the semconv package advises.
const SYSTEM = "messaging.system";
const DESTINATION = "messaging.destination.name";
const MESSAGE_ID = "messaging.message.id";
const OPERATION_TYPE = "messaging.operation.type";
const OPERATION_NAME = "messaging.operation.name";
const CONSUMER_GROUP = "messaging.consumer.group.name";
const DELIVERY_COUNT = "messaging.nats.delivery_count";
const STREAM_SEQ = "messaging.nats.stream_sequence";

/**
 * The transport with spans (openTransport applies it when tracing is on). A message's parent is the trace context it
 * already carries in its headers — the outbox row's stored request context (so the relay continues the request's
 * trace even a restart later), a dead letter's worker span — else the active span. The traceparent sent is the
 * producer span's, so the consumer span becomes its child. A debug line per publish carries the producer span's ids.
 */
export function withMessagingSpans(t: Transport, tracing: Tracing, log?: Logger): Transport {
  const system = t.kind === "jetstream" ? "nats" : t.kind;
  // Both transports are plain objects: everything but publish and consume passes through as it is.
  return {
    ...t,

    async publish(msg, opts) {
      const parent: Context = msg.headers?.traceparent ? extractContext(msg.headers) : context.active();
      const span = tracing.tracer.startSpan(
        `publish ${msg.subject}`,
        {
          kind: SpanKind.PRODUCER,
          attributes: { [SYSTEM]: system, [DESTINATION]: msg.subject, [MESSAGE_ID]: msg.id, [OPERATION_TYPE]: "send", [OPERATION_NAME]: "publish" },
        },
        parent,
      );
      const headers: Record<string, string> = { ...msg.headers };
      injectSpan(span, headers);
      try {
        const ack = await context.with(trace.setSpan(parent, span), async () => {
          const a = await t.publish({ ...msg, headers }, opts);
          log?.debug("message published", { subject: msg.subject, message_id: msg.id, stream: a.stream, seq: a.seq, duplicate: a.duplicate });
          return a;
        });
        span.setAttribute(STREAM_SEQ, ack.seq);
        if (ack.duplicate) span.setAttribute("messaging.nats.duplicate", true);
        return ack;
      } catch (err) {
        failSpan(span, err);
        throw err;
      } finally {
        span.end();
      }
    },

    consume(config, opts) {
      const handler = opts.handler;
      return t.consume(config, {
        ...opts,
        handler: (d) => {
          const parent = extractContext(d.headers);
          const span = tracing.tracer.startSpan(
            `process ${d.subject}`,
            {
              kind: SpanKind.CONSUMER,
              attributes: {
                [SYSTEM]: system,
                [DESTINATION]: d.subject,
                [CONSUMER_GROUP]: config.durable,
                [OPERATION_TYPE]: "process",
                [OPERATION_NAME]: "process",
                [DELIVERY_COUNT]: d.deliveryCount,
                [STREAM_SEQ]: d.seq,
                ...(d.id ? { [MESSAGE_ID]: d.id } : {}),
              },
            },
            parent,
          );
          return context.with(trace.setSpan(parent, span), async () => {
            try {
              await handler(settledInSpan(d, span));
            } catch (err) {
              failSpan(span, err);
              throw err;
            } finally {
              span.end();
            }
          });
        },
      });
    },
  };
}

/** The delivery with nak and term marking the span failed (the handler settles rather than throws). */
function settledInSpan(d: Delivery, span: Span): Delivery {
  return {
    ...d,
    ack: () => d.ack(),
    nak: (delayMs) => {
      span.setStatus({ code: SpanStatusCode.ERROR, message: "processing failed; redelivery requested" });
      return d.nak(delayMs);
    },
    term: (reason) => {
      span.setStatus({ code: SpanStatusCode.ERROR, message: `terminated: ${reason}` });
      return d.term(reason);
    },
    working: () => d.working(),
  };
}
