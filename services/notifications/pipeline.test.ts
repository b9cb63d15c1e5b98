// The pipeline as deployed: a pre-filled ORDERS stream (private nats-server) through the service process to committed notifications.
// Small for CI; NOTIFICATIONS_PIPELINE_EVENTS=30000 NOTIFICATIONS_PIPELINE_MIN_RATE=3000 makes it the throughput benchmark.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { generateDevKeyPair } from "../../lib/auth/dev-keys.ts";
import { ORDERS_STREAM } from "../../lib/messaging/topology.ts";
import { startService } from "../../lib/testing/service-process.ts";
import { orderCancelled, orderPlaced } from "./testing/events.ts";
import { countRows, type ProcessBroker, startProcessBroker } from "./testing/process-broker.ts";
import { eventually } from "./testing/worker-harness.ts";

const EVENTS = Number(process.env.NOTIFICATIONS_PIPELINE_EVENTS ?? 3_000);
const MIN_RATE = Number(process.env.NOTIFICATIONS_PIPELINE_MIN_RATE ?? 0);
const keys = await generateDevKeyPair();

describe("notifications pipeline [postgres, jetstream]", () => {
  let broker: ProcessBroker;
  beforeAll(async () => {
    broker = await startProcessBroker("jetstream", "notif_pipeline");
  }, 30_000);
  afterAll(async () => broker?.close());

  test(`${EVENTS} pre-filled events → committed notifications (log channel), each once, events/s printed`, async () => {
    await broker.publish(Array.from({ length: EVENTS }, (_, i) => (i % 10 === 9 ? orderCancelled(`c${i % 50}`) : orderPlaced(`c${i % 50}`))));
    const t0 = performance.now();
    const svc = await startService(["bun", "services/notifications/main.ts"], {
      ...broker.env,
      INTERNAL_AUTH_JWKS: JSON.stringify(keys.jwks),
      DRAIN_DELAY_MS: "0",
      ...(process.env.CONSUMER_BATCH ? { CONSUMER_BATCH: process.env.CONSUMER_BATCH } : {}),
    });
    const ready = performance.now();
    await eventually(async () => (await countRows(broker.sql, "notifications")) === EVENTS, 120_000, "all committed");
    const end = performance.now();
    const rate = Math.round((EVENTS / (end - ready)) * 1000);
    console.log(
      `notifications pipeline: ${EVENTS} events committed in ${Math.round(end - ready)} ms after ready = ${rate} events/s (start-up ${Math.round(ready - t0)} ms)`,
    );
    expect(await svc.stop()).toBe(0);
    expect(await countRows(broker.sql, "processed_events")).toBe(EVENTS);
    expect(await broker.transport.consumerLag(ORDERS_STREAM.name, "notifications")).toEqual({ pending: 0, ackPending: 0 });
    expect(svc.output().split('"msg":"notification"').length - 1).toBe(EVENTS); // one log-channel line per event
    if (MIN_RATE > 0) expect(rate).toBeGreaterThanOrEqual(MIN_RATE);
  }, 180_000);
});
