// Relay logic on real PostgreSQL and PGlite, with a publisher whose failures the test controls.
import { beforeAll, expect, test } from "bun:test";
import { migrate } from "../../../lib/db/migrate.ts";
import type { Sql } from "../../../lib/db/postgres.ts";
import { createLogger, silentLogger } from "../../../lib/logging/logger.ts";
import { publishOnlyTransport } from "../../../lib/messaging/testing/publish-only-transport.ts";
import { type OutgoingMessage, PermanentPublishError, type PublishAck, type Transport } from "../../../lib/messaging/types.ts";
import { createRegistry } from "../../../lib/metrics/registry.ts";
import { describeEachDatabase } from "../../../lib/testing/each-database.ts";
import { migrations } from "../migrations/index.ts";
import { createRelayMetrics, readOutboxBacklog } from "./outbox-metrics.ts";
import { deletePublishedBefore, redriveDead } from "./outbox-store.ts";
import { startRelay } from "./relay.ts";

type Publish = (m: OutgoingMessage) => Promise<PublishAck>;

/** Only publish() is used by the relay; the test controls what it does. */
const stubTransport = (publish: { fn: Publish }): Transport => publishOnlyTransport((m) => publish.fn(m), "stub");

async function insertEvents(sql: Sql, n: number, tag: string, bytes = 0): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = crypto.randomUUID();
    ids.push(id);
    await sql`INSERT INTO outbox (id, subject, payload, headers) VALUES (${id}, 'orders.placed', ${sql.json({ tag, i, pad: "x".repeat(bytes) })}, ${sql.json({ traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" })})`;
  }
  return ids;
}

const until = async (check: () => Promise<boolean>, ms = 8_000) => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("timed out");
    await Bun.sleep(25);
  }
};

describeEachDatabase("outbox relay", (db, { kind }) => {
  const published: OutgoingMessage[] = [];
  const ok: Publish = async (m) => {
    published.push(m);
    return { stream: "ORDERS", seq: published.length, duplicate: false };
  };
  const pending = async (tag: string) =>
    (await db()`SELECT count(*)::int AS n FROM outbox WHERE payload->>'tag' = ${tag} AND published_at IS NULL AND dead_at IS NULL`)[0]?.n as number;

  beforeAll(async () => {
    await migrate(db(), migrations, { log: silentLogger });
  });

  test("publishes rows in creation order with id, subject and headers, and marks them published", async () => {
    const ids = await insertEvents(db(), 20, "order");
    published.length = 0;
    const relay = startRelay({ sql: db(), transport: stubTransport({ fn: ok }), log: silentLogger, batchSize: 8, idleMs: 10 });
    await until(async () => (await pending("order")) === 0);
    await relay.stop();
    expect(published.map((m) => m.id)).toEqual(ids);
    expect(published[0]?.headers?.traceparent).toStartWith("00-0af7651916cd43dd8448eb211c80319c-");
    expect(JSON.parse(new TextDecoder().decode(published[0]?.data)).tag).toBe("order");
    const [row] = await db()`SELECT attempts, last_error FROM outbox WHERE id = ${ids[0] as string}`;
    expect(row).toEqual({ attempts: 1, last_error: null });
  });

  test("a permanent failure marks only that row dead with its error; redrive makes it publishable", async () => {
    const ids = await insertEvents(db(), 5, "poison");
    const poison = ids[2] as string;
    const publish = { fn: (async (m) => (m.id === poison ? Promise.reject(new PermanentPublishError("message too large")) : ok(m))) as Publish };
    const metrics = createRelayMetrics(createRegistry());
    const relay = startRelay({ sql: db(), transport: stubTransport(publish), log: silentLogger, idleMs: 10, metrics });
    await until(async () => (await pending("poison")) === 0);
    const [dead] = await db()`SELECT dead_at IS NOT NULL AS dead, last_error, published_at FROM outbox WHERE id = ${poison}`;
    expect(dead).toEqual({ dead: true, last_error: "message too large", published_at: null });
    expect(metrics.publishFailures.value).toBe(1);
    expect(metrics.published.value).toBe(4);
    expect((await readOutboxBacklog(db())).dead).toBe(1);
    const [others] = await db()`SELECT count(*)::int AS n FROM outbox WHERE payload->>'tag' = 'poison' AND published_at IS NOT NULL`;
    expect(others?.n).toBe(4);

    publish.fn = ok;
    expect(await redriveDead(db(), poison)).toBe(1);
    relay.wake();
    await until(async () => (await db()`SELECT published_at FROM outbox WHERE id = ${poison}`)[0]?.published_at !== null);
    await relay.stop();
    expect(metrics.published.value).toBe(5);
    expect((await readOutboxBacklog(db())).dead).toBe(0);
  });

  test("a transient failure of one row backs off that row only; it is published later", async () => {
    const ids = await insertEvents(db(), 4, "flaky");
    const flaky = ids[1] as string;
    let failures = 0;
    const publish = { fn: (async (m) => (m.id === flaky && failures++ < 1 ? Promise.reject(new Error("timeout")) : ok(m))) as Publish };
    const relay = startRelay({ sql: db(), transport: stubTransport(publish), log: silentLogger, idleMs: 10 });
    await until(async () => (await db()`SELECT last_error FROM outbox WHERE id = ${flaky}`)[0]?.last_error === "timeout");
    const [row] = await db()`SELECT attempts, next_attempt_at > clock_timestamp() AS later, published_at FROM outbox WHERE id = ${flaky}`;
    expect(row).toMatchObject({ attempts: 1, published_at: null });
    await until(async () => (await pending("flaky")) === 0, 10_000);
    await relay.stop();
    expect(failures).toBe(2);
  });

  test("broker down: nothing is marked, the relay backs off, and everything goes out once it returns", async () => {
    await insertEvents(db(), 10, "outage");
    let down = true;
    let calls = 0;
    const publish = {
      fn: (async (m) => {
        calls++;
        return down ? Promise.reject(new Error("connection closed")) : ok(m);
      }) as Publish,
    };
    const metrics = createRelayMetrics(createRegistry());
    const relay = startRelay({ sql: db(), transport: stubTransport(publish), log: silentLogger, idleMs: 10, metrics });
    await Bun.sleep(600);
    const backlog = await readOutboxBacklog(db());
    expect(backlog.unpublished).toBe(10);
    expect(backlog.oldestUnpublishedAgeSeconds).toBeGreaterThan(0.5);
    const [row] = await db()`SELECT max(attempts)::int AS a FROM outbox WHERE payload->>'tag' = 'outage'`;
    expect(row?.a).toBe(0);
    expect(calls).toBeLessThan(10 * 10); // backing off, not spinning
    // Every failed attempt counts, per event (a batch still in flight may not be counted yet).
    expect(metrics.publishFailures.value).toBeGreaterThanOrEqual(10);
    expect(metrics.publishFailures.value).toBeLessThanOrEqual(calls);
    expect(metrics.published.value).toBe(0);
    down = false;
    await until(async () => (await pending("outage")) === 0, 10_000);
    await relay.stop();
    expect(metrics.published.value).toBe(10);
    expect(await readOutboxBacklog(db())).toMatchObject({ unpublished: 0, oldestUnpublishedAgeSeconds: 0 });
  });

  // Needs a second session holding an open transaction; the embedded PGlite server has one connection.
  if (kind === "postgres")
    test("late commit: a row committed seconds after later rows is still published", async () => {
      const late = crypto.randomUUID();
      const conn = await db().reserve();
      await conn`BEGIN`;
      await conn`INSERT INTO outbox (id, subject, payload) VALUES (${late}, 'orders.placed', ${conn.json({ tag: "late" })})`;
      const relay = startRelay({ sql: db(), transport: stubTransport({ fn: ok }), log: silentLogger, idleMs: 10 });
      await insertEvents(db(), 5, "late-others");
      await until(async () => (await pending("late-others")) === 0);
      await Bun.sleep(1_500);
      await conn`COMMIT`;
      conn.release();
      await until(async () => (await db()`SELECT published_at FROM outbox WHERE id = ${late}`)[0]?.published_at !== null);
      await relay.stop();
    });

  // Replicas share a real PostgreSQL; PGlite serves one process only.
  if (kind === "postgres")
    test("two relays: one leader at a time; the standby takes over when the leader stops", async () => {
      const a = startRelay({ sql: db(), transport: stubTransport({ fn: ok }), log: silentLogger, idleMs: 200, standbyMs: 100 });
      const b = startRelay({ sql: db(), transport: stubTransport({ fn: ok }), log: silentLogger, idleMs: 200, standbyMs: 100 });
      await insertEvents(db(), 50, "ha");
      await until(async () => (await pending("ha")) === 0);
      await a.stop();
      await insertEvents(db(), 50, "ha2");
      await until(async () => (await pending("ha2")) === 0, 5_000);
      expect(b.stats.leader).toBe(true);
      await b.stop();
    });

  test("two relays under a steady flow: leadership stays with the healthy leader, a handful of leadership lines at most", async () => {
    const lines: string[] = [];
    const log = createLogger({ service: "relay-test", level: "info", sink: (l) => lines.push(l) });
    // Polling as fast as the defaults' ratio allows: before the lease, leadership changed whenever a standby polled between batches.
    const relays = [0, 1].map(() => startRelay({ sql: db(), transport: stubTransport({ fn: ok }), log, idleMs: 5, standbyMs: 20 }));
    for (let i = 0; i < 20; i++) {
      await insertEvents(db(), 5, "sticky");
      for (const r of relays) r.wake();
      await Bun.sleep(50);
    }
    await until(async () => (await pending("sticky")) === 0);
    const leaders = relays.filter((r) => r.stats.leader);
    // Counted before the stop: the stopping leader hands over, and that change is real.
    const changes = lines.filter((l) => l.includes("outbox relay: now leader") || l.includes("outbox relay: now standby"));
    for (const r of relays) await r.stop();
    expect(leaders).toHaveLength(1);
    expect(changes).toHaveLength(1); // one relay became leader once; the other never did
    expect(relays.reduce((n, r) => n + r.stats.published, 0)).toBe(100);
  });

  test("retention deletes only published rows past the period", async () => {
    const [oldPublished] = await insertEvents(db(), 1, "ret-old");
    const [unpublished] = await insertEvents(db(), 1, "ret-new");
    await db()`UPDATE outbox SET published_at = now() - interval '8 days' WHERE id = ${oldPublished as string}`;
    await db()`UPDATE outbox SET created_at = now() - interval '9 days' WHERE id = ${unpublished as string}`;
    expect(await deletePublishedBefore(db(), 7 * 24 * 3600_000, 100)).toBe(1);
    expect((await db()`SELECT id FROM outbox WHERE id = ${unpublished as string}`).length).toBe(1);
  });
});
