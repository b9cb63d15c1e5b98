// The shared worker suite, run on the in-memory, JetStream and embedded transports with real PostgreSQL: processing, duplicates, retries, stop.
import { expect, test } from "bun:test";
import { createLogChannel } from "../channels/log-channel.ts";
import { describeWorker, type OpenScenarioEnv, ok } from "../testing/describe-worker.ts";
import { orderCancelled, orderPlaced, TRACE_ID, TRACEPARENT } from "../testing/events.ts";
import { eventually } from "../testing/worker-harness.ts";

export interface WorkerScenarioOptions {
  /**
   * JetStream: a message the server sends into the pull just as stop() unsubscribes is dropped by the client and comes
   * back after ack_wait (nats-io/nats.go#898): the transport cannot promise "no redelivery because of a stop", only
   * "processed once". Waiting out the open pull in stop() would close that gap at the cost of up to the pull's expiry
   * (10 s) per shutdown, so the suite asserts the guarantee the platform gives instead.
   */
  stopMayRedeliver?: boolean;
}

export function workerScenarios(name: string, open: OpenScenarioEnv, opts: WorkerScenarioOptions = {}): void {
  describeWorker(`notifications worker [${name}]`, open, ({ stub, harness }) => {
    test("each event: sent once with Idempotency-Key = event id, recorded once, acked once; logs carry the message's trace id", async () => {
      stub.answer = ok;
      const h = await harness();
      const events = [...Array.from({ length: 12 }, (_, i) => orderPlaced(`cust-${i % 3}`)), orderCancelled("cust-0")];
      for (const e of events) await h.publish(e, e.id, e === events[0] ? { traceparent: TRACEPARENT } : undefined);
      const ids = events.map((e) => e.id);
      await eventually(async () => (await h.notifications(ids)).length === events.length && (await h.settled()), 10_000, "all recorded");
      await h.stop();

      expect(h.transport.deliveries.map((d) => [d.deliveryCount, d.settled?.as])).toEqual(events.map(() => [1, "ack"]));
      for (const e of events) expect(stub.forEvent(e.id).map((r) => r.idempotencyKey)).toEqual([e.id]);
      const rows = await h.notifications(ids);
      expect(rows.every((r) => r.delivery_attempts === 1 && r.channel === "webhook")).toBe(true);
      expect(rows.find((r) => r.event_id === events[0]?.id)?.trace_id).toBe(TRACE_ID);
      expect(stub.forEvent(events[0]?.id ?? "")[0]?.traceparent).toStartWith(`00-${TRACE_ID}-`);
      const traced = h.lines.filter((l) => l.seq === h.transport.of(events[0]?.id ?? "")[0]?.seq);
      expect(traced.length).toBeGreaterThan(0);
      expect(traced.every((l) => l.trace_id === TRACE_ID)).toBe(true);
      expect(h.consumer.stats).toMatchObject({ processed: events.length, duplicates: 0, deadLettered: 0 });
    });

    test("a duplicate event (same event id, two message ids) yields ONE notification and one send; both messages acked", async () => {
      stub.answer = ok;
      const h = await harness();
      const e = orderPlaced("dup");
      await h.publish(e, "first-id");
      await h.publish(e, "second-id");
      await eventually(async () => h.transport.deliveries.length === 2 && (await h.settled()), 10_000, "both settled");
      await h.stop();
      expect((await h.notifications([e.id])).length).toBe(1);
      expect(await h.processedCount([e.id])).toBe(1);
      expect(stub.forEvent(e.id)).toHaveLength(1);
      expect(h.transport.deliveries.map((d) => d.settled?.as)).toEqual(["ack", "ack"]);
      expect(h.consumer.stats).toMatchObject({ processed: 1, duplicates: 1 });
    });

    test("a transient failure (5xx) is retried with increasing delays, then succeeds: one notification", async () => {
      const e = orderPlaced("flaky");
      stub.answer = (r, nth) => (r.body.eventId === e.id && nth <= 3 ? new Response("busy", { status: 503 }) : ok());
      const h = await harness({ maxDeliver: 5, retry: { baseMs: 80, maxMs: 2_000 } });
      await h.publish(e);
      await eventually(async () => (await h.notifications([e.id])).length === 1 && (await h.settled()), 10_000, "recorded");
      await h.stop();
      const ds = h.transport.of(e.id);
      expect(ds.map((d) => [d.deliveryCount, d.settled?.as])).toEqual([
        [1, "nak"],
        [2, "nak"],
        [3, "nak"],
        [4, "ack"],
      ]);
      const delays = ds.slice(0, 3).map((d) => d.settled?.delayMs ?? 0);
      expect(delays[0]).toBeGreaterThanOrEqual(40);
      for (let i = 1; i < delays.length; i++) expect(delays[i] as number).toBeGreaterThanOrEqual(delays[i - 1] as number);
      for (let i = 1; i < ds.length; i++) expect((ds[i]?.at ?? 0) - (ds[i - 1]?.settled?.at ?? 0)).toBeGreaterThanOrEqual((delays[i - 1] ?? 0) - 15);
      expect((await h.notifications([e.id]))[0]?.delivery_attempts).toBe(4);
      expect(stub.forEvent(e.id).every((r) => r.idempotencyKey === e.id)).toBe(true);
    });

    test("a database failure is transient: nothing is acked before the commit; the retry records it", async () => {
      stub.answer = ok;
      let failures = 1;
      const h = await harness({
        store: (s) => ({
          ...s,
          record: (rs) => (failures-- > 0 ? Promise.reject(Object.assign(new Error("connection lost"), { code: "CONNECTION_CLOSED" })) : s.record(rs)),
        }),
      });
      const e = orderPlaced("db");
      await h.publish(e);
      await eventually(async () => (await h.notifications([e.id])).length === 1 && (await h.settled()), 10_000, "recorded");
      await h.stop();
      expect(h.transport.of(e.id).map((d) => d.settled?.as)).toEqual(["nak", "ack"]);
      expect(stub.forEvent(e.id).map((r) => r.idempotencyKey)).toEqual([e.id, e.id]); // sent again with the same key
    });

    test(`stop() during a backlog settles what is in flight; the rest is processed once after a restart${opts.stopMayRedeliver ? "" : ", with no redelivery"}`, async () => {
      // A channel taking 20 ms per send keeps the backlog going for a while, so the stop lands in the middle of it.
      const slow = createLogChannel();
      const sends = new Map<string, number>();
      const send: typeof slow.send = async (n, c) => {
        await Bun.sleep(20);
        await slow.send(n, c);
        sends.set(n.eventId, (sends.get(n.eventId) ?? 0) + 1);
      };
      const h = await harness({ channel: { name: "log", send }, batch: 16 });
      const events = Array.from({ length: 300 }, (_, i) => orderPlaced(`backlog-${i % 7}`));
      await Promise.all(events.map((e) => h.publish(e)));
      await eventually(() => h.consumer.stats.processed >= 20, 10_000, "some processed");
      await h.consumer.stop();
      const atStop = h.transport.deliveries.length;
      expect(h.transport.deliveries.every((d) => d.settled?.as === "ack")).toBe(true);
      await h.start();
      const ids = events.map((e) => e.id);
      await eventually(async () => (await h.notifications(ids)).length === 300 && (await h.settled()), 20_000, "backlog done");
      await h.stop();
      expect(atStop).toBeLessThan(300);
      // Processed once, on every transport: one notification and one send per event, every delivery acked.
      expect(ids.map((id) => sends.get(id))).toEqual(ids.map(() => 1));
      expect(h.transport.deliveries.every((d) => d.settled?.as === "ack")).toBe(true);
      if (opts.stopMayRedeliver) return;
      // Any message delivered twice, shown whole (seq, deliveryCount, times, settlement) so a failure says which
      // side of the stop it fell on. CI saw 301 deliveries once in many runs; not reproduced in isolation.
      const times = new Map<string | undefined, number>();
      for (const d of h.transport.deliveries) times.set(d.id, (times.get(d.id) ?? 0) + 1);
      expect(h.transport.deliveries.filter((d) => (times.get(d.id) ?? 0) > 1).map((d) => ({ ...d, stoppedAt: atStop }))).toEqual([]);
      expect(h.transport.deliveries).toHaveLength(300);
      expect(h.transport.deliveries.every((d) => d.deliveryCount === 1 && d.settled?.as === "ack")).toBe(true);
      expect((await h.notifications(ids)).every((r) => r.delivery_attempts === 1)).toBe(true);
    }, 30_000);
  });
}
