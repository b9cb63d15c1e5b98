// The dead-letter document: its shape from a delivery, payload encodings, and the ids that make dead-lettering and replay idempotent.
import { expect, test } from "bun:test";
import type { Delivery } from "../../../lib/messaging/types.ts";
import { buildDeadLetter, deadLetterDocument, deadLetterMessageId, decodePayload, encodePayload, replayMessageId } from "./document.ts";

const delivery = (data: Uint8Array, over: Partial<Delivery> = {}): Delivery => ({
  stream: "ORDERS",
  seq: 17,
  subject: "orders.placed",
  id: "0192f1b4-7c1e-7000-8000-0000000000a2",
  data,
  headers: { traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "x-custom": "1" },
  publishedAt: new Date("2026-11-21T12:00:00.000Z"),
  deliveryCount: 3,
  ack: async () => {},
  nak: async () => {},
  term: async () => {},
  working: async () => {},
  ...over,
});

test("the full message, the error, attempts and times; valid against the schema", () => {
  const d = delivery(new TextEncoder().encode('{"id":"x"}'));
  const doc = buildDeadLetter(d, {
    consumer: "notifications",
    error: "webhook answered 404",
    eventId: "e-1",
    firstAttemptAt: new Date("2026-11-21T12:00:01.000Z"),
    deadAt: new Date("2026-11-21T12:00:09.000Z"),
  });
  expect(doc).toEqual({
    consumer: "notifications",
    stream: "ORDERS",
    seq: 17,
    subject: "orders.placed",
    id: "0192f1b4-7c1e-7000-8000-0000000000a2",
    eventId: "e-1",
    headers: d.headers,
    payload: '{"id":"x"}',
    error: "webhook answered 404",
    attempts: 3,
    publishedAt: "2026-11-21T12:00:00.000Z",
    firstAttemptAt: "2026-11-21T12:00:01.000Z",
    deadAt: "2026-11-21T12:00:09.000Z",
  });
  expect(deadLetterDocument.parse(JSON.parse(JSON.stringify(doc)))).toEqual(doc);
});

test("optional fields are left out when unknown; a huge error is cut", () => {
  const doc = buildDeadLetter(delivery(new Uint8Array(), { id: undefined }), { consumer: "c", error: "e".repeat(5_000), deadAt: new Date() });
  expect("id" in doc || "eventId" in doc || "firstAttemptAt" in doc || "encoding" in doc).toBe(false);
  expect(doc.error.length).toBeLessThan(2_100);
  expect(deadLetterDocument.safeParse(doc).success).toBe(true);
});

test("payload: UTF-8 text as is, anything else base64; both decode to the original bytes", () => {
  const text = new TextEncoder().encode('{"name":"Zoë ✓"}');
  expect(encodePayload(text)).toEqual({ payload: '{"name":"Zoë ✓"}' });
  expect(decodePayload(encodePayload(text))).toEqual(text);
  const binary = new Uint8Array([0xff, 0x00, 0xc3, 0x28, 0x41]);
  const encoded = encodePayload(binary);
  expect(encoded.encoding).toBe("base64");
  expect(decodePayload(encoded)).toEqual(binary);
  const sub = binary.subarray(1, 4); // a view with an offset
  expect(decodePayload(encodePayload(sub))).toEqual(sub);
});

test("ids: one dead letter per message; replay ids are new per dead letter and do not grow on re-replays", () => {
  expect(deadLetterMessageId("notifications", "ORDERS", 17)).toBe("dlq:notifications:ORDERS:17");
  expect(replayMessageId({ id: "evt-1", stream: "ORDERS", seq: 17 }, 5)).toBe("evt-1:replay:5");
  expect(replayMessageId({ id: "evt-1:replay:5", stream: "ORDERS", seq: 30 }, 9)).toBe("evt-1:replay:9");
  expect(replayMessageId({ stream: "ORDERS", seq: 17 }, 5)).toBe("ORDERS:17:replay:5");
});
