// A replicated NATS cluster under the pipeline: two orders and two notifications processes on a three-node cluster, NATS nodes killed mid-run.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { tmpdir } from "node:os";
import { DLQ_STREAM, ORDERS_STREAM } from "../../lib/messaging/topology.ts";
import { type NatsCluster, startNatsCluster } from "../../lib/testing/nats-cluster.ts";
import { until } from "../../lib/testing/nats-server.ts";
import type { ServiceProcess } from "../../lib/testing/service-process.ts";
import { ordersClient, type PlacedOrder } from "./clients.ts";
import { isIdle, logLines, type Pipeline, startPipeline } from "./harness.ts";

const RATE = Number(process.env.CLUSTER_RATE ?? 30);
const DOWN_MS = 3_000;
const ACK_WAIT_MS = 3_000;

describe("pipeline on a three-node NATS cluster, NATS_STREAM_REPLICAS=3 [postgres, nats cluster]", () => {
  let cluster: NatsCluster;
  let p: Pipeline;
  beforeAll(async () => {
    cluster = await startNatsCluster();
    p = await startPipeline("jetstream", "pl_cluster", { natsUrl: cluster.url, replicas: 3 });
  }, 40_000);
  afterAll(async () => {
    await p?.close();
    await cluster?.stop();
  }, 30_000);

  test("SIGKILL the ORDERS leader mid-run, restart it, then another node: every order notified once, nothing dead, every request answered", async () => {
    const env = { CONSUMER_ACK_WAIT_MS: String(ACK_WAIT_MS) };
    const notifications = await Promise.all([p.startNotifications(env), p.startNotifications(env)]);
    const orders = await Promise.all([p.startOrders(), p.startOrders()]);
    // The processes' logs, for a failure's post-mortem.
    const dump = () =>
      Promise.all(
        [...orders.map((s, i) => [`orders-${i}`, s] as const), ...notifications.map((s, i) => [`notifications-${i}`, s] as const)].map(([name, s]) =>
          Bun.write(`${tmpdir()}/pl-cluster-${name}.log`, s.output()),
        ),
      );
    process.on("beforeExit", () => void dump());
    let turn = 0;
    const client = ordersClient(() => (orders[turn++ % 2] as ServiceProcess).url, p.mint, { deadlineMs: 30_000 });
    let placing = true;
    const placed: Promise<PlacedOrder[]> = client.placeOrders(1_000_000, { concurrency: 6, perSecond: RATE, stop: () => !placing });

    const table: Record<string, unknown>[] = [];
    /** Retried: while a stream elects a leader, its info requests time out. */
    const retried = async <T>(what: string, f: () => Promise<T>): Promise<T> => {
      let out: T | undefined;
      await until(
        () =>
          f().then(
            (v) => {
              out = v;
              return true;
            },
            () => false,
          ),
        20_000,
        what,
      );
      return out as T;
    };
    const snapshot = async (phase: string) => {
      const c = await retried("counts", () => p.counts());
      // Notifications sent (log channel lines) by both replicas, and how many of them repeated an event already sent.
      const sentIds = notifications.flatMap((s) => [...s.output().matchAll(/"msg":"notification".*?"event_id":"([^"]+)"/g)].map((m) => m[1]));
      const row = {
        phase,
        orders: c.orders,
        events: c.stream,
        notifications: c.notifications,
        sent: sentIds.length,
        duplicates: sentIds.length - new Set(sentIds).size,
        dlq: await retried("DLQ depth", () => p.transport.countMessages(DLQ_STREAM.name)),
        unpublished: c.unpublished,
      };
      table.push(row);
      console.log(`cluster: ${JSON.stringify(row)}`);
      return c;
    };

    await p.waitFor("flow under way", (c) => c.notifications >= 20, 20_000);
    const first = await cluster.waitLeader(ORDERS_STREAM.name);
    await cluster.kill(first);
    await Bun.sleep(DOWN_MS);
    await snapshot(`${first} (ORDERS leader) killed`);
    await cluster.restart(first);
    await snapshot(`${first} restarted`);
    const leader = await cluster.waitLeader(ORDERS_STREAM.name);
    const second = leader !== first ? leader : (cluster.running().find((n) => n !== first) as string);
    await cluster.kill(second);
    await Bun.sleep(DOWN_MS);
    await snapshot(`${second}${second === leader ? " (ORDERS leader)" : ""} killed`);
    await cluster.restart(second);
    await snapshot(`${second} restarted`);
    await Bun.sleep(2_000);
    placing = false;
    const done = await placed.finally(dump);

    const n = done.length;
    const c = await p.waitFor("all notified", (x) => x.unpublished === 0 && x.notifications >= n && x.stream >= n, 40_000);
    await until(async () => isIdle(await p.consumerLag()), 4 * ACK_WAIT_MS, "every delivery settled");
    const final = await snapshot("end");
    const restored = orders.reduce((k, s) => k + logLines(s, "outbox relay restored events the broker had lost after a fault"), 0);
    console.table(table);
    console.log(`cluster: ${n} orders placed at ${RATE}/s, ${done.filter((o) => o.attempts > 1).length} needed retries; relay restore lines: ${restored}`);

    // Every request ended in 201 (placeOrders throws otherwise), and a retried key came back with the same order.
    expect(new Set(done.map((o) => o.orderId)).size).toBe(n);
    const ids = new Set((await p.sql.orders<{ id: string }[]>`SELECT id::text AS id FROM orders`).map((r) => r.id));
    expect(done.every((o) => ids.has(o.orderId))).toBe(true);
    expect(c).toMatchObject({ orders: n, outbox: n, unpublished: 0, dead: 0, stream: n, notifications: n, processed: n });
    expect(final).toMatchObject({ orders: n, stream: n, notifications: n });
    expect(new Set(await p.notifiedEventIds())).toEqual(new Set(await p.outboxIds()));
    expect(table.at(-1)).toMatchObject({ sent: n, duplicates: 0, dlq: 0 });
    expect(logLines(notifications[0] as ServiceProcess, "notification") + logLines(notifications[1] as ServiceProcess, "notification")).toBe(n);
    for (const s of [...orders, ...notifications]) expect(await s.stop()).toBe(0);
  }, 120_000);
});
