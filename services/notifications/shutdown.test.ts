// Graceful shutdown of the notifications process during a backlog, on the embedded transport and on JetStream.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { generateDevKeyPair } from "../../lib/auth/dev-keys.ts";
import { ORDERS_STREAM } from "../../lib/messaging/topology.ts";
import { startService } from "../../lib/testing/service-process.ts";
import { orderPlaced } from "./testing/events.ts";
import { countRows, type ProcessBroker, startProcessBroker } from "./testing/process-broker.ts";
import { startWebhookStub } from "./testing/webhook-stub.ts";
import { eventually } from "./testing/worker-harness.ts";

const keys = await generateDevKeyPair();
const BACKLOG = Number(process.env.NOTIFICATIONS_SHUTDOWN_BACKLOG ?? 400);

for (const kind of ["embedded", "jetstream"] as const) {
  describe(`notifications graceful shutdown [postgres, ${kind}]`, () => {
    let broker: ProcessBroker;
    const stub = startWebhookStub();
    beforeAll(async () => {
      broker = await startProcessBroker(kind, `notif_shutdown_${kind}`);
    }, 30_000);
    afterAll(async () => {
      await stub.stop();
      await broker?.close();
    });

    test("SIGTERM during a backlog: in-flight messages finish and are acked, exit 0; a restart does the rest with no redelivery", async () => {
      // A slow receiver keeps messages in flight when the signal arrives.
      stub.answer = async () => {
        await Bun.sleep(40);
        return new Response(null, { status: 204 });
      };
      await broker.publish(Array.from({ length: BACKLOG }, (_, i) => orderPlaced(`shutdown-${i % 5}`)));
      const env = {
        ...broker.env,
        INTERNAL_AUTH_JWKS: JSON.stringify(keys.jwks),
        NOTIFY_CHANNEL: "webhook",
        NOTIFY_WEBHOOK_URL: stub.url,
        CONSUMER_BATCH: "16",
        CONSUMER_MAX_ACK_PENDING: "64",
        DRAIN_DELAY_MS: "0", // the consumer works on through the drain delay; the test is about what happens after it
        SHUTDOWN_GRACE_MS: "10000",
      };
      const svc = await startService(["bun", "services/notifications/main.ts"], env);
      await eventually(() => stub.requests.length >= 20, 15_000, "processing under way");
      expect(await svc.stop("SIGTERM")).toBe(0);
      const out = svc.output();
      expect(out).toContain('"msg":"consumer stopped"');
      expect(out).toContain('"msg":"shutdown complete"');
      expect(out).not.toContain('"level":"error"');

      const done = await countRows(broker.sql, "notifications");
      expect(done).toBeGreaterThanOrEqual(20);
      expect(done).toBeLessThan(BACKLOG);
      expect(stub.requests.length).toBe(done); // every send that started was finished and recorded
      expect(await broker.transport.consumerLag(ORDERS_STREAM.name, "notifications")).toEqual({ pending: BACKLOG - done, ackPending: 0 });

      stub.answer = () => new Response(null, { status: 204 });
      const again = await startService(["bun", "services/notifications/main.ts"], env);
      await eventually(async () => (await countRows(broker.sql, "notifications")) === BACKLOG, 30_000, "backlog done");
      expect(await again.stop("SIGTERM")).toBe(0);
      const attempts = await broker.sql<{ delivery_attempts: number; n: number }[]>`
        SELECT delivery_attempts, count(*)::int AS n FROM notifications GROUP BY delivery_attempts`;
      expect([...attempts]).toEqual([{ delivery_attempts: 1, n: BACKLOG }]); // nothing was redelivered because of the shutdown
      expect(await countRows(broker.sql, "processed_events")).toBe(BACKLOG);
      expect(stub.requests.length).toBe(BACKLOG); // and nothing was sent twice
    }, 60_000);
  });
}
