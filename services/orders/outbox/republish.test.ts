// The relay's re-publish after broker faults, on real PostgreSQL and PGlite, against a broker stub that can lose acknowledged messages.
import { beforeAll, expect, test } from "bun:test";
import { migrate } from "../../../lib/db/migrate.ts";
import type { Sql } from "../../../lib/db/postgres.ts";
import { silentLogger } from "../../../lib/logging/logger.ts";
import { publishOnlyTransport } from "../../../lib/messaging/testing/publish-only-transport.ts";
import { ORDERS_STREAM } from "../../../lib/messaging/topology.ts";
import type { BrokerFault, Transport } from "../../../lib/messaging/types.ts";
import { createRegistry } from "../../../lib/metrics/registry.ts";
import { describeEachDatabase } from "../../../lib/testing/each-database.ts";
import { until } from "../../../lib/testing/nats-server.ts";
import { migrations } from "../migrations/index.ts";
import { createRelayMetrics } from "./outbox-metrics.ts";
import { startRelay } from "./relay.ts";

/** A broker that deduplicates by message id, counts every publish, can lose messages it acknowledged, and reports faults. */
function lossyBroker() {
  const stored = new Set<string>();
  const listeners = new Set<(f: BrokerFault) => void>();
  let publishes = 0;
  let failNext = 0;
  const transport: Transport = {
    ...publishOnlyTransport(async (m) => {
      publishes++;
      if (failNext > 0) {
        failNext--;
        throw new Error("timeout");
      }
      const duplicate = stored.has(m.id);
      stored.add(m.id);
      return { stream: ORDERS_STREAM.name, seq: stored.size, duplicate };
    }, "lossy"),
    watchFaults: (_stream, l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
  return {
    transport,
    stored,
    publishes: () => publishes,
    lose: (ids: string[]) => {
      for (const id of ids) stored.delete(id);
    },
    fault: (f: BrokerFault) => {
      for (const l of listeners) l(f);
    },
    failNext: (n: number) => {
      failNext = n;
    },
  };
}

async function insertEvents(sql: Sql, n: number): Promise<string[]> {
  const ids = Array.from({ length: n }, () => crypto.randomUUID());
  for (const id of ids) await sql`INSERT INTO outbox (id, subject, payload) VALUES (${id}, 'orders.placed', ${sql.json({ id })})`;
  return ids;
}

describeEachDatabase("outbox relay re-publish after broker faults", (db) => {
  beforeAll(async () => {
    await migrate(db(), migrations, { log: silentLogger });
  });
  const unpublished = async () => (await db()`SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL`)[0]?.n as number;

  test("no fault: each row published once, no pass; a leader change after a loss restores exactly the lost rows, counted", async () => {
    const broker = lossyBroker();
    const metrics = createRelayMetrics(createRegistry());
    const relay = startRelay({
      sql: db(),
      transport: broker.transport,
      log: silentLogger,
      idleMs: 10,
      metrics,
      stream: ORDERS_STREAM,
      // The window must cover the second rows (published just before the fault), never the first (published long before).
      republish: { beforeMs: 2_000, settleMs: 150 },
    });
    try {
      const quiet = await insertEvents(db(), 40);
      relay.wake();
      await until(async () => (await unpublished()) === 0, 8_000, "first rows published");
      await Bun.sleep(2_500);
      expect(broker.publishes()).toBe(40); // without faults, the cost is nothing
      expect(relay.republished).toEqual({ passes: 0, confirmed: 0, restored: 0 });

      const around = await insertEvents(db(), 20);
      relay.wake();
      await until(async () => (await unpublished()) === 0, 8_000, "second rows published");
      // The failover: the broker acknowledged these, then lost them with the old leader.
      const lost = around.slice(5, 10);
      broker.lose(lost);
      broker.fault("leader elected");
      await until(async () => relay.republished.passes === 1, 5_000, "a re-publish pass");
      expect({ ...relay.republished, published: broker.publishes() }).toMatchObject({ restored: 5 });
      expect(relay.republished.confirmed).toBe(15); // the rest of the window: still there, acknowledged as duplicates
      expect(metrics.restored.value).toBe(5);
      expect(metrics.republished.value).toBe(20);
      expect([...quiet, ...around].every((id) => broker.stored.has(id))).toBe(true);
    } finally {
      await relay.stop();
    }
  });

  test("a publish error is a fault too: the rows published around it are re-checked", async () => {
    const broker = lossyBroker();
    const relay = startRelay({
      sql: db(),
      transport: broker.transport,
      log: silentLogger,
      idleMs: 10,
      stream: ORDERS_STREAM,
      republish: { beforeMs: 2_000, settleMs: 150 },
    });
    try {
      const before = await insertEvents(db(), 10);
      relay.wake();
      await until(async () => (await unpublished()) === 0, 8_000, "published");
      broker.lose(before.slice(0, 2));
      broker.failNext(3);
      const after = await insertEvents(db(), 3);
      relay.wake();
      await until(async () => relay.republished.passes >= 1 && (await unpublished()) === 0, 8_000, "pass after the error");
      expect(relay.republished.restored).toBe(2);
      expect([...before, ...after].every((id) => broker.stored.has(id))).toBe(true);
    } finally {
      await relay.stop();
    }
  });
});
