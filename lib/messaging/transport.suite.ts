// The ONE contract suite every Transport must pass: JetStream against a real nats-server, the embedded broker, the in-memory test transport.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type ConsumerConfig, type Delivery, PermanentPublishError, type StreamConfig, type Transport } from "./types.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns true or `ms` pass. */
async function eventually(check: () => boolean | Promise<boolean>, ms = 5_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await sleep(20);
  }
}

export function transportContract(name: string, open: () => Promise<{ transport: Transport; cleanup(): Promise<void> }>): void {
  describe(`Transport contract [${name}]`, () => {
    let t: Transport;
    let cleanup: () => Promise<void>;
    let n = 0;
    // Every test gets its own stream and subjects, so runs never see each other's messages.
    const fresh = async (over: Partial<ConsumerConfig> = {}, stream: Partial<StreamConfig> = {}) => {
      const tag = `c${Date.now().toString(36)}${(n++).toString(36)}${crypto.randomUUID().slice(0, 4)}`;
      const s: StreamConfig = { name: tag.toUpperCase(), subjects: [`${tag}.>`], duplicateWindowMs: 60_000, maxMessageBytes: 64 * 1024, ...stream };
      await t.ensureStream(s);
      const c: ConsumerConfig = {
        stream: s.name,
        durable: "worker",
        filterSubjects: [`${tag}.>`],
        ackWaitMs: 1_000,
        maxDeliver: 3,
        maxAckPending: 100,
        ...over,
      };
      await t.ensureConsumer(c);
      const pub = (suffix: string, id: string, body = id, headers?: Record<string, string>) =>
        t.publish({ subject: `${tag}.${suffix}`, id, data: enc.encode(body), headers });
      return { s, c, tag, pub };
    };
    const collect = async (c: ConsumerConfig, onDelivery: (d: Delivery, all: Delivery[]) => Promise<void>, concurrency = 1) => {
      const seen: Delivery[] = [];
      const sub = await t.consume(c, {
        batch: 16,
        concurrency,
        handler: async (d) => {
          seen.push(d);
          await onDelivery(d, seen);
        },
      });
      return { seen, sub };
    };

    beforeAll(async () => {
      ({ transport: t, cleanup } = await open());
    }, 30_000);
    afterAll(async () => cleanup?.(), 30_000);

    test("ensureStream and ensureConsumer are idempotent", async () => {
      const { s, c } = await fresh();
      await t.ensureStream(s);
      await t.ensureConsumer(c);
      expect(await t.consumerLag(s.name, c.durable)).toEqual({ pending: 0, ackPending: 0 });
    });

    test("a second publish with the same id is dropped (duplicate: true) and stored once", async () => {
      const { s, pub } = await fresh();
      const first = await pub("placed", "evt-1");
      const again = await pub("placed", "evt-1");
      expect(first.duplicate).toBe(false);
      expect(again.duplicate).toBe(true);
      expect(again.seq).toBe(first.seq);
      expect((await t.listMessages(s.name, { limit: 10 })).map((m) => m.id)).toEqual(["evt-1"]);
    });

    test("deliveries carry subject, id, data and headers intact; an acked message is never redelivered", async () => {
      const { c, tag, pub } = await fresh();
      await pub("placed", "a", '{"x":1}', { traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" });
      const { seen, sub } = await collect(c, (d) => d.ack());
      await eventually(() => seen.length === 1);
      await sleep(1_500); // past ack_wait
      await sub.stop();
      const d = seen[0] as Delivery;
      expect(seen).toHaveLength(1);
      expect({ subject: d.subject, id: d.id, data: dec.decode(d.data), deliveryCount: d.deliveryCount }).toEqual({
        subject: `${tag}.placed`,
        id: "a",
        data: '{"x":1}',
        deliveryCount: 1,
      });
      expect(d.headers.traceparent).toBe("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
      expect(d.publishedAt).toBeInstanceOf(Date);
    });

    test("nak(delay) redelivers after the delay, not before, with deliveryCount 2", async () => {
      const { c, pub } = await fresh();
      await pub("placed", "b");
      const at: number[] = [];
      const { seen, sub } = await collect(c, async (d) => {
        at.push(Date.now());
        await (d.deliveryCount === 1 ? d.nak(600) : d.ack());
      });
      await eventually(() => seen.length === 2);
      await sub.stop();
      expect(seen.map((d) => d.deliveryCount)).toEqual([1, 2]);
      expect((at[1] ?? 0) - (at[0] ?? 0)).toBeGreaterThanOrEqual(550);
    });

    test("an unacknowledged delivery comes back after ack_wait; max_deliver caps the deliveries", async () => {
      const { c, pub } = await fresh({ ackWaitMs: 500, maxDeliver: 3 });
      await pub("placed", "c");
      const { seen, sub } = await collect(c, async () => {}); // never settles
      await eventually(() => seen.length === 3, 5_000);
      await sleep(1_200);
      await sub.stop();
      expect(seen.map((d) => d.deliveryCount)).toEqual([1, 2, 3]);
    });

    test("term() stops redelivery for good", async () => {
      const { c, pub } = await fresh({ ackWaitMs: 500 });
      await pub("placed", "d");
      const { seen, sub } = await collect(c, (d) => d.term("poison"));
      await eventually(() => seen.length === 1);
      await sleep(1_000);
      await sub.stop();
      expect(seen).toHaveLength(1);
    });

    test("durable: what arrives while stopped is delivered after a restart; nothing acked comes back", async () => {
      const { c, pub } = await fresh();
      for (let i = 0; i < 5; i++) await pub("placed", `e${i}`);
      const first = await collect(c, (d) => d.ack());
      await eventually(() => first.seen.length === 5);
      await first.sub.stop();
      for (let i = 5; i < 10; i++) await pub("placed", `e${i}`);
      const second = await collect(c, (d) => d.ack());
      await eventually(() => second.seen.length === 5);
      await sleep(300);
      await second.sub.stop();
      expect(second.seen.map((d) => d.id)).toEqual(["e5", "e6", "e7", "e8", "e9"]);
    });

    test("stop() waits for in-flight handlers, and the stop causes no redelivery", async () => {
      const { c, pub } = await fresh({ ackWaitMs: 1_000 });
      for (let i = 0; i < 3; i++) await pub("placed", `f${i}`);
      let acked = 0;
      const { seen, sub } = await collect(
        c,
        async (d) => {
          await sleep(200);
          await d.ack();
          acked++;
        },
        3,
      );
      await eventually(() => seen.length >= 1);
      await sub.stop();
      expect(acked).toBe(seen.length);
      const rest = await collect(c, (d) => d.ack());
      await sleep(1_500);
      await rest.sub.stop();
      expect([...seen, ...rest.seen].map((d) => d.id).sort()).toEqual(["f0", "f1", "f2"]);
      expect(rest.seen.every((d) => d.deliveryCount === 1)).toBe(true);
    });

    test("concurrency runs handlers in parallel; the filter limits subjects", async () => {
      const { c, tag, s } = await fresh();
      await t.publish({ subject: `${tag}.placed`, id: "g1", data: enc.encode("1") });
      await t.publish({ subject: `${tag}.placed`, id: "g2", data: enc.encode("2") });
      await t.publish({ subject: `${tag}.other`, id: "g3", data: enc.encode("3") });
      await t.ensureConsumer({ ...c, durable: "placed-only", filterSubjects: [`${tag}.placed`] });
      let running = 0;
      let peak = 0;
      const { seen, sub } = await collect(
        { ...c, durable: "placed-only", filterSubjects: [`${tag}.placed`] },
        async (d) => {
          peak = Math.max(peak, ++running);
          await sleep(150);
          running--;
          await d.ack();
        },
        4,
      );
      await eventually(() => seen.length === 2);
      await sleep(200);
      await sub.stop();
      expect(peak).toBe(2);
      expect(seen.map((d) => d.id).sort()).toEqual(["g1", "g2"]);
      expect((await t.listMessages(s.name, { limit: 10 })).length).toBe(3);
    });

    test("consumerLag reports pending and ack-pending", async () => {
      const { s, c, pub } = await fresh({ ackWaitMs: 5_000 });
      for (let i = 0; i < 4; i++) await pub("placed", `h${i}`);
      await eventually(async () => (await t.consumerLag(s.name, c.durable)).pending === 4);
      const { seen, sub } = await collect(c, async () => {}); // hold them unacknowledged
      await eventually(() => seen.length === 4);
      await eventually(async () => {
        const lag = await t.consumerLag(s.name, c.durable);
        return lag.pending === 0 && lag.ackPending === 4;
      });
      for (const d of seen) await d.ack();
      await sub.stop();
      await eventually(async () => (await t.consumerLag(s.name, c.durable)).ackPending === 0);
    });

    test("a handler that throws gets the message again at once", async () => {
      const { c, pub } = await fresh({ ackWaitMs: 10_000, maxDeliver: 5 });
      await pub("t", "t1");
      const { seen, sub } = await collect(c, async (d) => {
        if (d.deliveryCount === 1) throw new Error("boom");
        await d.ack();
      });
      await eventually(() => seen.length >= 2, 3_000).catch(() => {});
      await sub.stop();
      expect(seen.map((d) => d.deliveryCount)).toEqual([1, 2]);
    });

    test("ensureConsumer changes the filter of an existing durable; an empty filter takes the whole stream", async () => {
      const { s, c, tag, pub } = await fresh({ durable: "changing", filterSubjects: [] });
      const base = { ...c, filterSubjects: [`${tag}.a`] };
      await t.ensureConsumer(base);
      await pub("a", "x1");
      await pub("b", "b1");
      expect((await t.consumerLag(s.name, "changing")).pending).toBe(1); // x1 on .a
      await t.ensureConsumer({ ...base, filterSubjects: [`${tag}.b`], maxDeliver: 5 });
      expect((await t.consumerLag(s.name, "changing")).pending).toBe(1); // b1 on .b
      await t.ensureConsumer({ ...base, filterSubjects: [] });
      expect((await t.consumerLag(s.name, "changing")).pending).toBe(2);
    });

    test("publishing to a subject no stream listens on is a transient error, not a permanent one", async () => {
      const { tag } = await fresh();
      const err = await t.publish({ subject: `nostream${tag}.x`, id: "n1", data: enc.encode("x") }, { timeoutMs: 1_000 }).catch((e) => e);
      expect(err).toBeInstanceOf(Error);
      expect(err).not.toBeInstanceOf(PermanentPublishError);
    });

    test("getMessage and deleteMessage of a sequence that does not exist", async () => {
      const { s, pub } = await fresh();
      await pub("a", "only");
      expect(await t.getMessage(s.name, 999_999)).toBeUndefined();
      expect(await t.getMessage(s.name, 0)).toBeUndefined();
      expect(await t.deleteMessage(s.name, 999_999)).toBe(false);
      expect(await t.listMessages(s.name, { afterSeq: 999_999, limit: 5 })).toEqual([]);
    });

    test("stream browsing: list after a sequence, get one, delete one", async () => {
      const { s, pub } = await fresh();
      const acks = [];
      for (let i = 0; i < 4; i++) acks.push(await pub("placed", `k${i}`, `body${i}`, { "x-n": String(i) }));
      const all = await t.listMessages(s.name, { limit: 10 });
      expect(all.map((m) => m.id)).toEqual(["k0", "k1", "k2", "k3"]);
      const after = await t.listMessages(s.name, { afterSeq: acks[1]?.seq, limit: 1 });
      expect(after.map((m) => m.id)).toEqual(["k2"]);
      const one = await t.getMessage(s.name, acks[3]?.seq ?? -1);
      expect(one && { data: dec.decode(one.data), n: one.headers["x-n"] }).toEqual({ data: "body3", n: "3" });
      expect(await t.countMessages(s.name)).toBe(4);
      expect(await t.deleteMessage(s.name, acks[0]?.seq ?? -1)).toBe(true);
      expect(await t.getMessage(s.name, acks[0]?.seq ?? -1)).toBeUndefined();
      expect(await t.countMessages(s.name)).toBe(3);
      expect((await t.listMessages(s.name, { limit: 10 })).map((m) => m.id)).toEqual(["k1", "k2", "k3"]);
    });

    test("a message over the size limit fails with PermanentPublishError and is not stored", async () => {
      const { s, tag } = await fresh({}, { maxMessageBytes: 16 * 1024 });
      const big = new Uint8Array(64 * 1024);
      const err = await t.publish({ subject: `${tag}.placed`, id: "big", data: big }).catch((e) => e);
      expect(err).toBeInstanceOf(PermanentPublishError);
      expect((await t.listMessages(s.name, { limit: 10 })).length).toBe(0);
    });

    test("ping succeeds while connected", async () => {
      await t.ping();
    });
  });
}
