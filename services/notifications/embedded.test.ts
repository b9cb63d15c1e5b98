// The local default: service, worker and the embedded transport sharing ONE database (PGlite's single connection, and PostgreSQL).
import { expect, test } from "bun:test";
import { generateDevKeyPair } from "../../lib/auth/dev-keys.ts";
import { createInternalTokenMinter } from "../../lib/auth/internal-token.ts";
import { parseEnv } from "../../lib/config/env.ts";
import { silentLogger } from "../../lib/logging/logger.ts";
import { createEmbeddedTransport } from "../../lib/messaging/embedded/transport.ts";
import { describeEachDatabase } from "../../lib/testing/each-database.ts";
import { freePort } from "../../lib/testing/service-process.ts";
import { notificationsEnv } from "./config.ts";
import { startNotifications } from "./start.ts";
import { encodeEvent, orderPlaced } from "./testing/events.ts";
import { startWebhookStub } from "./testing/webhook-stub.ts";
import { eventually } from "./testing/worker-harness.ts";

const keys = await generateDevKeyPair();
const mint = await createInternalTokenMinter(keys.privateJwk);

describeEachDatabase("notifications on the embedded transport in its own database", (db, { kind }) => {
  test("events become notifications; a rejected one is dead-lettered, inspected and replayed through the API, once", async () => {
    const stub = startWebhookStub();
    const bad = orderPlaced("local");
    let fixed = false;
    stub.answer = (r) => new Response(null, { status: r.body.eventId === bad.id && !fixed ? 422 : 204 });
    const transport = await createEmbeddedTransport({ sql: db(), pollIntervalMs: 20 });
    const cfg = parseEnv("notifications", notificationsEnv, {
      INTERNAL_AUTH_JWKS: JSON.stringify(keys.jwks),
      PORT: String(await freePort()),
      NOTIFY_CHANNEL: "webhook",
      NOTIFY_WEBHOOK_URL: stub.url,
      CONSUMER_BATCH: "32",
    });
    const svc = await startNotifications(cfg, { log: silentLogger, db: { sql: db(), embedded: kind === "pglite", close: async () => {} }, transport });
    const base = `http://127.0.0.1:${svc.listener.port}`;
    const as = async (sub: string, scope: string) => ({ authorization: `Bearer ${await mint({ audience: "notifications", subject: sub, scopes: [scope] })}` });
    try {
      const good = Array.from({ length: 40 }, () => orderPlaced("local"));
      for (const e of [...good.slice(0, 20), bad, ...good.slice(20)]) await transport.publish({ subject: "orders.placed", id: e.id, data: encodeEvent(e) });

      const admin = await as("ops", "notifications:admin");
      let letters: { seq: number; eventId: string; error: string }[] = [];
      await eventually(
        async () => {
          letters = (await (await fetch(`${base}/v1/notifications/dead-letters`, { headers: admin })).json()).items;
          return letters.length === 1;
        },
        15_000,
        "dead-lettered",
      );
      expect(letters[0]).toMatchObject({ eventId: bad.id, error: "webhook answered 422", attempts: 1 });

      fixed = true;
      const replay = await fetch(`${base}/v1/notifications/dead-letters/${letters[0]?.seq}/replay`, { method: "POST", headers: admin });
      expect(replay.status).toBe(200);
      const mine = await as("local", "notifications:read");
      let items: { eventId: string }[] = [];
      await eventually(
        async () => {
          items = (await (await fetch(`${base}/v1/notifications?limit=100`, { headers: mine })).json()).items;
          return items.length === 41;
        },
        15_000,
        "all 41 listed",
      );
      expect(new Set(items.map((n) => n.eventId))).toEqual(new Set([...good, bad].map((e) => e.id)));
      expect(stub.delivered(bad.id)).toBe(1);
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
    } finally {
      for (const c of svc.closers) await c.close();
      await svc.listener.stop(true);
      await transport.close();
      await stub.stop();
    }
  }, 40_000);
});
