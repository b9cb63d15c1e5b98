// Decoding deliveries: valid order events pass; bytes that are not UTF-8 JSON or not an order event are permanent failures.
import { expect, test } from "bun:test";
import { encodeEvent, orderCancelled, orderPlaced } from "../testing/events.ts";
import { decodeEvent } from "./decode-event.ts";

const enc = new TextEncoder();

test("order.placed and order.cancelled decode to the typed envelope", () => {
  for (const e of [orderPlaced("alice"), orderCancelled("bob")]) {
    const d = decodeEvent(encodeEvent(e));
    expect(d).toEqual({ ok: true, event: e as never });
  }
});

test("not UTF-8, not JSON, or not an order event: an error saying which, with the event id when there is one", () => {
  expect(decodeEvent(new Uint8Array([0xff, 0xfe, 0x00]))).toMatchObject({ ok: false, error: expect.stringContaining("not UTF-8 JSON") });
  expect(decodeEvent(enc.encode("{nope"))).toMatchObject({ ok: false, error: expect.stringContaining("not UTF-8 JSON") });
  expect(decodeEvent(enc.encode("null"))).toMatchObject({ ok: false, error: expect.stringContaining("not an order event") });

  const wrongType = { ...orderPlaced(), type: "order.shipped" };
  expect(decodeEvent(encodeEvent(wrongType))).toMatchObject({ ok: false, eventId: wrongType.id, error: expect.stringContaining("type") });

  const bad = orderPlaced("alice", { totalCents: -1 });
  const d = decodeEvent(encodeEvent(bad));
  expect(d).toMatchObject({ ok: false, eventId: bad.id });
  expect(d.ok ? "" : d.error).toContain("data.totalCents");

  const noCustomer = orderCancelled("");
  expect(decodeEvent(encodeEvent(noCustomer))).toMatchObject({ ok: false, error: expect.stringContaining("data.customerId") });
});
