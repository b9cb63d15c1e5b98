// A wake() that arrives while the relay runs a batch must not be lost: the row written meanwhile goes out right after it.
// (It once did: the relay kept a wake-up only while pause() waited, so such a row waited out the whole idle poll.)
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { migrate } from "../../lib/db/migrate.ts";
import { createSql, type Sql } from "../../lib/db/postgres.ts";
import { silentLogger } from "../../lib/logging/logger.ts";
import { publishOnlyTransport } from "../../lib/messaging/testing/publish-only-transport.ts";
import type { OutgoingMessage, PublishAck } from "../../lib/messaging/types.ts";
import { until } from "../../lib/testing/nats-server.ts";
import { createTempDatabase } from "../../lib/testing/temp-database.ts";
import { migrations } from "../../services/orders/migrations/index.ts";
import { startRelay } from "../../services/orders/outbox/relay.ts";
import { insertOutboxRows, orderPlacedRow } from "./outbox-events.ts";

/** A poll interval far longer than any batch, so a lost wake-up shows as a wait of about this long. */
const IDLE_MS = 3_000;

/** The relay uses publish() only; the first publish of `holdId` waits for `release()`. */
function gatedTransport(holdId: string) {
  const published: { id: string; at: number }[] = [];
  let release: () => void = () => {};
  const gate = new Promise<void>((r) => {
    release = r;
  });
  let held = false;
  const transport = publishOnlyTransport(async (m: OutgoingMessage): Promise<PublishAck> => {
    if (m.id === holdId) {
      held = true;
      await gate;
    }
    published.push({ id: m.id, at: performance.now() });
    return { stream: "ORDERS", seq: published.length, duplicate: false };
  }, "gated");
  return { transport, published, release, isHeld: () => held };
}

describe("outbox relay wake-up [postgres]", () => {
  let db: Awaited<ReturnType<typeof createTempDatabase>>;
  let sql: Sql;
  beforeAll(async () => {
    db = await createTempDatabase("pl_wake");
    sql = createSql(db.url, { max: 4 });
    await migrate(sql, migrations, { log: silentLogger });
  });
  afterAll(async () => {
    await sql?.end({ timeout: 1 });
    await db?.drop();
  });

  test("a row written (and wake() called) during a batch is published right after that batch, not a poll interval later", async () => {
    const first = orderPlacedRow("wake-first");
    const second = orderPlacedRow("wake-second");
    const gated = gatedTransport(first.id);
    const relay = startRelay({ sql, transport: gated.transport, log: silentLogger, idleMs: IDLE_MS });
    try {
      await Bun.sleep(100); // the relay found nothing and waits out its poll interval
      await insertOutboxRows(sql, [first]);
      relay.wake(); // as the orders app does after each outbox write
      await until(gated.isHeld, 2_000, "first batch publishing");

      // While the first batch waits for its PubAck, another request commits a row and wakes the relay.
      await insertOutboxRows(sql, [second]);
      relay.wake();
      const released = performance.now();
      gated.release();
      await until(() => gated.published.length === 2, 2 * IDLE_MS, "second row published");
      const waited = (gated.published[1]?.at ?? 0) - released;
      console.log(`second row published ${waited.toFixed(0)} ms after the first batch was released (poll interval ${IDLE_MS} ms)`);
      expect(gated.published.map((p) => p.id)).toEqual([first.id, second.id]);
      expect(waited).toBeLessThan(IDLE_MS / 3);
    } finally {
      gated.release();
      await relay.stop();
    }
  }, 15_000);
});
