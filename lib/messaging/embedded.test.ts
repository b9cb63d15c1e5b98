// The embedded transport: the shared Transport contract on PostgreSQL and PGlite, plus sharing, bounds, retention and a throughput figure.
import { expect, test } from "bun:test";
import { migrate } from "../db/migrate.ts";
import { createSql, type Sql } from "../db/postgres.ts";
import { silentLogger } from "../logging/logger.ts";
import { describeEachDatabase } from "../testing/each-database.ts";
import { createTempDatabase } from "../testing/temp-database.ts";
import { createRetention } from "./embedded/retention.ts";
import { ensureBrokerSchema } from "./embedded/schema.ts";
import { createEmbeddedTransport } from "./embedded/transport.ts";
import { transportContract } from "./transport.suite.ts";
import { type ConsumerConfig, type Delivery, PermanentPublishError, type StreamConfig, type Transport } from "./types.ts";

const enc = new TextEncoder();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function eventually(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await sleep(20);
  }
}

/** A fresh stream + durable with unique names. */
async function fresh(t: Transport, over: Partial<ConsumerConfig> = {}, stream: Partial<StreamConfig> = {}) {
  const tag = `e${Date.now().toString(36)}${crypto.randomUUID().slice(0, 6)}`;
  const s: StreamConfig = { name: tag.toUpperCase(), subjects: [`${tag}.>`], duplicateWindowMs: 60_000, ...stream };
  await t.ensureStream(s);
  const c: ConsumerConfig = { stream: s.name, durable: "w", filterSubjects: [], ackWaitMs: 5_000, maxDeliver: 5, maxAckPending: 1_000, ...over };
  await t.ensureConsumer(c);
  return { s, c, tag };
}

/** Publishes `n` messages `tag.placed` with ids `${prefix}${i}`, up to 256 in flight (like the outbox relay). */
async function publishMany(t: Transport, tag: string, n: number, prefix = "m", body = '{"order":"x"}') {
  for (let i = 0; i < n; i += 256) {
    const chunk = Array.from({ length: Math.min(256, n - i) }, (_, k) =>
      t.publish({ subject: `${tag}.placed`, id: `${prefix}${i + k}`, data: enc.encode(body) }),
    );
    await Promise.all(chunk);
  }
}

describeEachDatabase("embedded transport", (db, { kind, url }) => {
  let opened: Transport[] = [];
  transportContract(`embedded [${kind}]`, async () => {
    const transport = await createEmbeddedTransport({ sql: db() });
    return { transport, cleanup: () => transport.close() };
  });

  const open = async (sql: Sql = db()) => {
    const t = await createEmbeddedTransport({ sql });
    opened.push(t);
    return t;
  };
  const closeAll = async () => {
    await Promise.all(opened.map((t) => t.close()));
    opened = [];
  };

  test("subjects route by wildcard; no stream for a subject is a transient (not permanent) error; overlapping streams are refused", async () => {
    const t = await open();
    const tag = `r${crypto.randomUUID().slice(0, 8)}`;
    await t.ensureStream({ name: tag.toUpperCase(), subjects: [`${tag}.*.placed`, `${tag}.all.>`], duplicateWindowMs: 1_000 });
    expect((await t.publish({ subject: `${tag}.eu.placed`, id: "1", data: enc.encode("") })).seq).toBe(1);
    expect((await t.publish({ subject: `${tag}.all.a.b`, id: "2", data: enc.encode("") })).seq).toBe(2);
    const none = await t.publish({ subject: `${tag}.eu.x.placed`, id: "3", data: enc.encode("") }).catch((e) => e);
    expect(none).toBeInstanceOf(Error);
    expect(none).not.toBeInstanceOf(PermanentPublishError);
    expect(String(none.message)).toContain("no stream");
    const wildcard = await t.publish({ subject: `${tag}.*.placed`, id: "4", data: enc.encode("") }).catch((e) => e);
    expect(wildcard).toBeInstanceOf(PermanentPublishError);
    const overlap = await t.ensureStream({ name: `${tag.toUpperCase()}X`, subjects: [`${tag}.eu.*`], duplicateWindowMs: 1_000 }).catch((e) => e);
    expect(String(overlap?.message)).toContain("overlaps");
    await closeAll();
  });

  test("a handler throw is logged and redelivered at once; a stop releases buffered deliveries uncounted", async () => {
    const t = await open();
    const { c, tag } = await fresh(t);
    await publishMany(t, tag, 6);
    const seen: Delivery[] = [];
    const sub = await t.consume(c, {
      batch: 16,
      handler: async (d) => {
        seen.push(d);
        if (d.id === "m0" && d.deliveryCount === 1) throw new Error("boom");
        await sleep(100);
        await d.ack();
      },
    });
    await eventually(() => seen.length >= 3);
    await sub.stop(); // the rest sit claimed in the buffer: released, not counted
    expect(seen.slice(0, 2).map((d) => [d.id, d.deliveryCount])).toEqual([
      ["m0", 1],
      ["m1", 1],
    ]);
    const rest: Delivery[] = [];
    const again = await t.consume(c, {
      batch: 16,
      handler: async (d) => {
        rest.push(d);
        await d.ack();
      },
    });
    await eventually(() => seen.length + rest.length === 7);
    await sleep(100);
    await again.stop();
    const all = [...seen, ...rest];
    expect(all.filter((d) => d.id === "m0").map((d) => d.deliveryCount)).toEqual([1, 2]);
    expect(all.filter((d) => d.id !== "m0").every((d) => d.deliveryCount === 1)).toBe(true);
    expect(new Set(all.map((d) => d.id)).size).toBe(6);
    await closeAll();
  });

  test("a publish on the same transport wakes its consumers (no waiting for the poll)", async () => {
    const t = await createEmbeddedTransport({ sql: db(), pollIntervalMs: 5_000 });
    opened.push(t);
    const { c, tag } = await fresh(t);
    const seen: number[] = [];
    const sub = await t.consume(c, {
      batch: 8,
      handler: async (d) => {
        seen.push(Date.now());
        await d.ack();
      },
    });
    await sleep(100); // the first (empty) claim is done: the loop now waits up to 5 s
    const at = Date.now();
    await t.publish({ subject: `${tag}.placed`, id: "w", data: enc.encode("") });
    await eventually(() => seen.length === 1, 2_000);
    expect((seen[0] ?? 0) - at).toBeLessThan(1_000);
    await sub.stop();
    await closeAll();
  });

  test("the duplicate window expires; concurrent publishes get consecutive seqs; max_ack_pending bounds what is out", async () => {
    const t = await open();
    const { s, c, tag } = await fresh(t, { maxAckPending: 3 }, { duplicateWindowMs: 300 });
    const a = await t.publish({ subject: `${tag}.x`, id: "same", data: enc.encode("1") });
    await sleep(400);
    const b = await t.publish({ subject: `${tag}.x`, id: "same", data: enc.encode("2") });
    expect([a.duplicate, b.duplicate, b.seq]).toEqual([false, false, a.seq + 1]);
    const acks = await Promise.all(Array.from({ length: 20 }, (_, i) => t.publish({ subject: `${tag}.y`, id: `p${i}`, data: enc.encode("") })));
    expect(acks.map((x) => x.seq)).toEqual(Array.from({ length: 20 }, (_, i) => b.seq + 1 + i));
    const held: Delivery[] = [];
    const sub = await t.consume(c, { batch: 10, concurrency: 10, handler: async (d) => void held.push(d) });
    await eventually(() => held.length === 3);
    await sleep(300);
    expect(held.length).toBe(3);
    expect(await t.consumerLag(s.name, c.durable)).toEqual({ pending: 19, ackPending: 3 });
    await Promise.all(held.map((d) => d.ack()));
    await eventually(() => held.length === 6);
    await sub.stop();
    await closeAll();
  });

  test("maxAgeMs drops old messages and their delivery state", async () => {
    const t = await open();
    const { s, c, tag } = await fresh(t, {}, { maxAgeMs: 200 });
    await publishMany(t, tag, 3);
    await sleep(300);
    await t.publish({ subject: `${tag}.placed`, id: "young", data: enc.encode("") });
    await createRetention(db(), silentLogger).run(); // normally started every 10 s by publishes and polls

    expect((await t.listMessages(s.name, { limit: 10 })).map((m) => m.id)).toEqual(["young"]);
    expect(await t.consumerLag(s.name, c.durable)).toEqual({ pending: 1, ackPending: 0 });
    await closeAll();
  });

  if (kind === "postgres") {
    test("two transports (own pools) sharing one durable never hold the same message at once; each is processed once", async () => {
      const pools = [createSql(url(), { max: 4 }), createSql(url(), { max: 4 })];
      try {
        const [a, b] = await Promise.all(pools.map((p) => open(p)));
        if (!a || !b) throw new Error("unreachable");
        const { c, tag } = await fresh(a, { ackWaitMs: 10_000 });
        const n = 600;
        const holders = new Map<number, string>();
        const processed = new Map<number, number>();
        let overlaps = 0;
        const handler = (who: string) => async (d: Delivery) => {
          if (holders.has(d.seq)) overlaps++;
          holders.set(d.seq, who);
          await sleep(Math.random() * 3);
          processed.set(d.seq, (processed.get(d.seq) ?? 0) + 1);
          holders.delete(d.seq);
          await d.ack();
        };
        const subs = await Promise.all([
          a.consume(c, { batch: 32, concurrency: 8, handler: handler("a") }),
          b.consume(c, { batch: 32, concurrency: 8, handler: handler("b") }),
          b.consume(c, { batch: 8, concurrency: 1, handler: handler("b2") }),
        ]);
        await Promise.all([publishMany(a, tag, n / 2, "a"), publishMany(b, tag, n / 2, "b")]);
        await eventually(() => processed.size === n, 20_000);
        await sleep(200);
        await Promise.all(subs.map((s) => s.stop()));
        expect(overlaps).toBe(0);
        expect([...processed.values()].every((x) => x === 1)).toBe(true);
        expect(await a.consumerLag(c.stream, c.durable)).toEqual({ pending: 0, ackPending: 0 });
      } finally {
        await closeAll();
        await Promise.all(pools.map((p) => p.end({ timeout: 1 })));
      }
    });
  }

  test(`throughput smoke [${kind}] (printed, not asserted)`, async () => {
    const n = kind === "postgres" ? 5_000 : 2_000;
    const t = await open();
    const { c, tag } = await fresh(t, { ackWaitMs: 30_000 });
    let done = 0;
    const t0 = performance.now();
    await publishMany(t, tag, n);
    const t1 = performance.now();
    const sub = await t.consume(c, {
      batch: 256,
      concurrency: 64,
      handler: async (d) => {
        await d.ack();
        done++;
      },
    });
    await eventually(() => done === n, 60_000);
    const t2 = performance.now();
    await sub.stop();
    // Both at once: consumer running while the producer publishes (the pipeline's steady state).
    const { c: c2, tag: tag2 } = await fresh(t, { ackWaitMs: 30_000 });
    let done2 = 0;
    const sub2 = await t.consume(c2, {
      batch: 256,
      concurrency: 64,
      handler: async (d) => {
        await d.ack();
        done2++;
      },
    });
    const t3 = performance.now();
    await publishMany(t, tag2, n);
    await eventually(() => done2 === n, 60_000);
    const t4 = performance.now();
    await sub2.stop();
    const rate = (ms: number) => Math.round((n / ms) * 1000);
    console.log(
      `embedded [${kind}] ${n} msgs: publish ${rate(t1 - t0)}/s, consume+ack ${rate(t2 - t1)}/s, publish→consume+ack concurrently ${rate(t4 - t3)}/s end to end`,
    );
    await closeAll();
  }, 120_000);
});

test("the broker schema bootstraps once under concurrent starts and leaves a service's migrations alone", async () => {
  const temp = await createTempDatabase("broker");
  const pools = Array.from({ length: 4 }, () => createSql(temp.url, { max: 2 }));
  try {
    const service = [{ name: "0001_init.sql", sql: "create table widgets (id int primary key);" }];
    await migrate(pools[0] as Sql, service);
    await Promise.all(pools.map((p) => ensureBrokerSchema(p)));
    const sql = pools[1] as Sql;
    expect([...(await sql`select version, name from broker.schema_version`)]).toEqual([{ version: 1, name: "broker_0001_init.sql" }]);
    expect((await migrate(sql, service)).applied).toEqual([]); // schema_migrations holds only the service's own rows
    expect([...(await sql`select name from schema_migrations`)]).toEqual([{ name: "0001_init.sql" }]);
  } finally {
    await Promise.all(pools.map((p) => p.end({ timeout: 1 })));
    await temp.drop();
  }
});
