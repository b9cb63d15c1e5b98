// Builds openapi/events/asyncapi.json: the platform's event contract as AsyncAPI 3, from the zod schemas the code validates with.
import { z } from "zod";
import { ORDER_CANCELLED, ORDER_PLACED, orderCancelledEvent, orderPlacedEvent } from "../../lib/events/order-events.ts";
import { DLQ_STREAM, ORDERS_STREAM } from "../../lib/messaging/topology.ts";
import { VERSION } from "../../lib/version.ts";
import { deadLetterDocument } from "../../services/notifications/dead-letters/document.ts";

// AsyncAPI's default schema format is a superset of JSON Schema draft-07: zod renders that dialect directly.
const payload = (schema: z.ZodType) => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: "draft-7" }) as Record<string, unknown>;
  return rest;
};

const traceHeaders = {
  type: "object",
  properties: {
    traceparent: { type: "string", description: "W3C trace context of the request that caused the event (the consumer's span links to it)" },
    tracestate: { type: "string", description: "W3C trace state, when the caller sent one" },
  },
};

const eventMessage = (type: string, title: string, schema: z.ZodType) => ({
  name: type,
  title,
  contentType: "application/json",
  summary: `CloudEvents-shaped envelope (specversion 1.0) of type \`${type}\`; its \`id\` is also the message's Nats-Msg-Id, so a republish inside the duplicate window is dropped.`,
  headers: traceHeaders,
  payload: payload(schema),
});

const ordersChannel = (subject: string, message: string) => ({
  address: subject,
  title: subject,
  description: `Stream ${ORDERS_STREAM.name} (subjects ${ORDERS_STREAM.subjects.join(", ")}): published from the orders service's outbox, at least once.`,
  messages: { [message]: { $ref: `#/components/messages/${message}` } },
});

const op = (action: "send" | "receive", channel: string, message: string, summary: string) => ({
  action,
  channel: { $ref: `#/channels/${channel}` },
  messages: [{ $ref: `#/channels/${channel}/messages/${message}` }],
  summary,
});

/** The AsyncAPI 3.1 document of the ORDERS events and the DLQ envelope. */
export function asyncApiDocument() {
  return {
    asyncapi: "3.1.0",
    info: {
      title: "Platform events",
      version: VERSION,
      description:
        "Events on the platform's NATS JetStream broker: the order domain's events (stream ORDERS) and the dead letters the " +
        "notifications worker stores (stream DLQ). Consumers must be idempotent: delivery is at least once, and the event id is the key.",
      license: { name: "MIT", url: "https://opensource.org/licenses/MIT" },
    },
    defaultContentType: "application/json",
    servers: {
      nats: { host: "nats:4222", protocol: "nats", description: "The platform's NATS server with JetStream (NATS_URL in every service)" },
    },
    channels: {
      ordersPlaced: ordersChannel(ORDER_PLACED.subject, "orderPlaced"),
      ordersCancelled: ordersChannel(ORDER_CANCELLED.subject, "orderCancelled"),
      deadLetters: {
        address: "dlq.{consumer}.{subject}",
        title: "dead letters",
        description: `Stream ${DLQ_STREAM.name} (subjects ${DLQ_STREAM.subjects.join(", ")}): a message a consumer gave up on, with its original bytes, headers and the error; replayed through the notifications API.`,
        parameters: {
          consumer: { description: "The durable consumer that dead-lettered the message", examples: ["notifications"] },
          subject: { description: "The original subject", examples: [ORDER_PLACED.subject] },
        },
        messages: { deadLetter: { $ref: "#/components/messages/deadLetter" } },
      },
    },
    operations: {
      publishOrderPlaced: op("send", "ordersPlaced", "orderPlaced", "The orders service's outbox relay publishes a placed order"),
      publishOrderCancelled: op("send", "ordersCancelled", "orderCancelled", "The orders service's outbox relay publishes a cancelled order"),
      consumeOrderPlaced: op("receive", "ordersPlaced", "orderPlaced", "The notifications worker notifies the customer"),
      consumeOrderCancelled: op("receive", "ordersCancelled", "orderCancelled", "The notifications worker notifies the customer"),
      storeDeadLetter: op(
        "send",
        "deadLetters",
        "deadLetter",
        "A consumer stores a message it gave up on (after its last delivery, or at once for a permanent error)",
      ),
    },
    components: {
      messages: {
        orderPlaced: eventMessage(ORDER_PLACED.type, "Order placed", orderPlacedEvent),
        orderCancelled: eventMessage(ORDER_CANCELLED.type, "Order cancelled", orderCancelledEvent),
        deadLetter: {
          name: "dead-letter",
          title: "Dead letter",
          contentType: "application/json",
          summary: "Message id `dlq:<consumer>:<stream>:<seq>`, so a second dead-lettering of the same message is dropped by the broker.",
          headers: {
            type: "object",
            properties: { traceparent: { type: "string", description: "W3C trace context of the worker span that gave up on the message" } },
          },
          payload: payload(deadLetterDocument),
        },
      },
    },
  };
}
