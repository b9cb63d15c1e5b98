// The webhook channel against a local receiver: headers and body, 4xx permanent, 5xx / 408 / 429 / timeouts / refused transient.
import { afterAll, expect, test } from "bun:test";
import { createLogger, silentLogger } from "../../../lib/logging/logger.ts";
import { freePort } from "../../../lib/testing/service-process.ts";
import { TRACEPARENT } from "../testing/events.ts";
import { startWebhookStub } from "../testing/webhook-stub.ts";
import { ChannelError, type OutboundNotification } from "./channel.ts";
import { createLogChannel } from "./log-channel.ts";
import { createWebhookChannel, retryAfterMs } from "./webhook-channel.ts";

const stub = startWebhookStub();
afterAll(() => stub.stop());
const ctx = { traceparent: TRACEPARENT, log: silentLogger };
const note = (eventId = crypto.randomUUID()): OutboundNotification => ({
  eventId,
  type: "order.placed",
  customerId: "alice",
  orderId: crypto.randomUUID(),
  title: "Order placed",
  message: "Your order … was placed.",
  occurredAt: new Date().toISOString(),
  data: { totalCents: 1 },
});
const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as ChannelError,
  );

test("POSTs the notification as JSON with Idempotency-Key = event id and the trace context", async () => {
  stub.answer = () => new Response("ok", { status: 200 });
  const n = note();
  await createWebhookChannel({ url: stub.url, timeoutMs: 2_000 }).send(n, ctx);
  const [req] = stub.forEvent(n.eventId);
  expect(req?.idempotencyKey).toBe(n.eventId);
  expect(req?.traceparent).toBe(TRACEPARENT);
  expect(req?.contentType).toBe("application/json");
  expect(req?.body).toEqual(n as never);
});

test("4xx (and redirects) are permanent; 5xx, 408, 425 and 429 transient; Retry-After is passed on", async () => {
  const channel = createWebhookChannel({ url: stub.url, timeoutMs: 2_000 });
  for (const [status, permanent] of [
    [400, true],
    [401, true],
    [404, true],
    [410, true],
    [422, true],
    [301, true],
    [408, false],
    [425, false],
    [429, false],
    [500, false],
    [502, false],
    [503, false],
  ] as const) {
    stub.answer = () => new Response("no", { status, headers: status === 301 ? { location: "/elsewhere" } : {} });
    const err = await failure(channel.send(note(), ctx));
    expect(err).toBeInstanceOf(ChannelError);
    expect([status, err?.permanent, err?.message]).toEqual([status, permanent, `webhook answered ${status}`]);
  }
  stub.answer = () => new Response(null, { status: 429, headers: { "retry-after": "7" } });
  expect((await failure(channel.send(note(), ctx)))?.retryAfterMs).toBe(7_000);
});

test("a receiver slower than the timeout is a transient failure, reported as a timeout", async () => {
  stub.answer = async () => {
    await Bun.sleep(500);
    return new Response(null, { status: 204 });
  };
  const t0 = performance.now();
  const err = await failure(createWebhookChannel({ url: stub.url, timeoutMs: 100 }).send(note(), ctx));
  expect(performance.now() - t0).toBeLessThan(400);
  expect([err?.permanent, err?.message]).toEqual([false, "webhook timed out after 100 ms"]);
});

test("nobody listening is a transient failure", async () => {
  const err = await failure(createWebhookChannel({ url: `http://127.0.0.1:${await freePort()}/x`, timeoutMs: 1_000 }).send(note(), ctx));
  expect(err?.permanent).toBe(false);
  expect(err?.message).toStartWith("webhook unreachable");
});

test("Retry-After: seconds or an HTTP date, bounded; junk ignored", () => {
  const now = Date.parse("2026-11-21T12:00:00Z");
  expect(retryAfterMs("3", now)).toBe(3_000);
  expect(retryAfterMs("Sat, 21 Nov 2026 12:00:10 GMT", now)).toBe(10_000);
  expect(retryAfterMs("999999", now)).toBe(3_600_000);
  expect([retryAfterMs(null), retryAfterMs("soon"), retryAfterMs("Sat, 21 Nov 2026 11:00:00 GMT", now)]).toEqual([undefined, undefined, undefined]);
});

test("the log channel writes one JSON line per notification on the message's logger", async () => {
  const lines: string[] = [];
  const log = createLogger({ service: "t", sink: (l) => lines.push(l) }).child({ trace_id: "abc" });
  const n = note();
  await createLogChannel().send(n, { traceparent: TRACEPARENT, log });
  expect(lines).toHaveLength(1);
  expect(JSON.parse(lines[0] as string)).toMatchObject({
    msg: "notification",
    channel: "log",
    event_id: n.eventId,
    customer_id: "alice",
    trace_id: "abc",
    message: n.message,
  });
});
