// Two notifications replicas and one event stored twice under different message ids: handed to the channel once, even when the claimer dies.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { until } from "../../lib/testing/nats-server.ts";
import type { ServiceProcess } from "../../lib/testing/service-process.ts";
import { encodeEvent, orderPlaced } from "../../services/notifications/testing/events.ts";
import { startWebhookStub } from "../../services/notifications/testing/webhook-stub.ts";
import { kill9, type Pipeline, startPipeline, WEBHOOK_WORKER_ENV } from "./harness.ts";

const EVENTS = 40;
/** Webhook channel with a small window and a 2 s ack wait (the claim's lease): a killed claimer's event comes back soon. */
const WORKER_ENV = WEBHOOK_WORKER_ENV;

describe("two notifications replicas, one event stored twice [postgres, jetstream]", () => {
  let p: Pipeline;
  let slowFirst = false;
  const stub = startWebhookStub(async (_req, nth) => {
    // In the crash test the first call of an event hangs until its sender is killed (past the webhook timeout, it fails).
    await Bun.sleep(slowFirst && nth === 1 ? 900 : 150);
    return new Response(null, { status: 204 });
  });
  let replicas: ServiceProcess[] = [];
  beforeAll(async () => {
    p = await startPipeline("jetstream", "pl_two_replicas");
  }, 30_000);
  afterAll(async () => {
    await stub.stop();
    await p?.close();
  });

  /** Stores the event twice in ORDERS, under two message ids (as a replay or a producer without the outbox would). */
  const publishTwice = async (event: ReturnType<typeof orderPlaced>) => {
    for (const suffix of ["a", "b"]) {
      const ack = await p.transport.publish({ subject: "orders.placed", id: `${event.id}-${suffix}`, data: encodeEvent(event) });
      expect(ack.duplicate).toBe(false);
    }
  };
  const startReplicas = async () => {
    const env = { ...WORKER_ENV, NOTIFY_WEBHOOK_URL: stub.url };
    replicas = await Promise.all([p.startNotifications(env), p.startNotifications(env)]);
  };

  test(`${EVENTS} events, each stored twice: ${EVENTS} webhook calls, one notification each`, async () => {
    await startReplicas();
    const events = Array.from({ length: EVENTS }, () => orderPlaced("alice"));
    for (const e of events) await publishTwice(e);
    await p.waitFor("all processed", (c) => c.notifications === EVENTS && c.stream === 2 * EVENTS, 30_000);
    await until(async () => (await p.consumerLag()).ackPending === 0 && (await p.consumerLag()).pending === 0, 20_000, "both copies settled");
    const twice = events.filter((e) => stub.forEvent(e.id).length !== 1).map((e) => `${e.id}: ${stub.forEvent(e.id).length}`);
    expect(twice).toEqual([]);
    expect(stub.requests.length).toBe(EVENTS);
    // Both replicas claimed events (the copies met across processes, not only inside one).
    const [owners] = await p.sql.notifications<{ n: number }[]>`SELECT count(DISTINCT split_part(owner, ':', 2))::int AS n FROM delivery_claims`;
    expect(owners?.n).toBe(2);
    for (const r of replicas) expect(await r.stop()).toBe(0);
  }, 60_000);

  test("the replica holding the claim is killed mid-send: the other waits out the lease and sends it, once successfully", async () => {
    slowFirst = true;
    await startReplicas();
    const event = orderPlaced("bob");
    await publishTwice(event);
    await until(async () => stub.forEvent(event.id).length === 1, 10_000, "first send started");
    const [claim] = await p.sql.notifications<{ owner: string }[]>`SELECT owner FROM delivery_claims WHERE event_id = ${event.id}`;
    const pid = Number(claim?.owner.split(":")[1]);
    const holder = replicas.find((r) => r.proc.pid === pid);
    if (!holder) throw new Error(`no replica has pid ${pid} (claim owner ${claim?.owner})`);
    await kill9(holder);
    const killedAt = Date.now();
    await p.waitFor("processed by the survivor", (c) => c.notifications >= 1 + EVENTS, 20_000);
    await until(async () => (await p.consumerLag()).ackPending === 0 && (await p.consumerLag()).pending === 0, 20_000, "both copies settled");
    // The dead replica's call (never answered to it) and exactly one more, after its claim expired.
    const calls = stub.forEvent(event.id);
    expect(calls.length).toBe(2);
    expect((calls[1]?.at ?? 0) - killedAt).toBeGreaterThan(500);
    const [row] = await p.sql.notifications<{ n: number }[]>`SELECT count(*)::int AS n FROM notifications WHERE event_id = ${event.id}`;
    expect(row?.n).toBe(1);
    for (const r of replicas) if (r !== holder) expect(await r.stop()).toBe(0);
  }, 60_000);
});
