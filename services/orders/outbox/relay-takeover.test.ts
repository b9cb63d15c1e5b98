// A relay that takes the lease over from a leader that died re-checks what anyone published lately [postgres, nats].
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { migrate } from "../../../lib/db/migrate.ts";
import { createSql, type Sql } from "../../../lib/db/postgres.ts";
import { silentLogger } from "../../../lib/logging/logger.ts";
import { createJetStreamTransport } from "../../../lib/messaging/jetstream/transport.ts";
import type { StreamConfig, Transport } from "../../../lib/messaging/types.ts";
import { privateNatsServer, until } from "../../../lib/testing/nats-server.ts";
import { createTempDatabase } from "../../../lib/testing/temp-database.ts";
import { migrations } from "../migrations/index.ts";
import { startRelay } from "./relay.ts";

const STREAM: StreamConfig = { name: "TAKEOVER", subjects: ["takeover.>"], duplicateWindowMs: 20 * 60_000 };
const LEASE_MS = 300;
// The lookback is explicit here (the default is leaseMs + maxOpenMs + beforeMs): generous for a loaded machine, and
// well short of the old row's age, so the lookback (not the duplicate window) is what leaves that row alone.
const REPUBLISH = { settleMs: 100, beforeMs: 1_000, maxOpenMs: 2_000, takeoverLookbackMs: 20_000 };

describe("outbox relay lease takeover re-checks the dead leader's publishes [postgres, nats]", () => {
  let nats: Awaited<ReturnType<typeof privateNatsServer>>;
  let temp: Awaited<ReturnType<typeof createTempDatabase>>;
  let sql: Sql;
  let nc: NatsConnection;
  let transport: Transport;
  beforeAll(async () => {
    nats = await privateNatsServer();
    temp = await createTempDatabase("relay_takeover");
    sql = createSql(temp.url, { max: 4 });
    await migrate(sql, migrations, { log: silentLogger });
    nc = await connect({ servers: nats.url });
    transport = await createJetStreamTransport({ url: nats.url, name: "relay-takeover" });
    await transport.ensureStream(STREAM);
  }, 30_000);
  afterAll(async () => {
    await transport?.close();
    await nc?.close();
    await sql?.end({ timeout: 1 });
    await temp?.drop();
    await nats?.dispose();
  }, 30_000);

  const insert = async (n: number) => {
    const ids = Array.from({ length: n }, () => crypto.randomUUID());
    for (const id of ids) await sql`INSERT INTO outbox (id, subject, payload) VALUES (${id}, 'takeover.placed', ${sql.json({ id })})`;
    return ids;
  };
  const unpublished = async () => (await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL`)[0]?.n ?? -1;
  const inStream = () => transport.countMessages(STREAM.name);
  /** The broker loses everything it acknowledged, dedupe memory included (a lost disk, an R1 node gone). */
  const loseStream = async () => {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete(STREAM.name);
    await transport.ensureStream(STREAM);
  };
  const relay = (db: Sql) =>
    startRelay({ sql: db, transport, log: silentLogger, idleMs: 10, standbyMs: 50, leaseMs: LEASE_MS, stream: STREAM, republish: REPUBLISH });

  test("a dead leader's rows lost by the broker are restored by its successor; a clean handover re-checks nothing", async () => {
    // Published before the lookback (inside the duplicate window): not re-published by a takeover.
    const old = crypto.randomUUID();
    await sql`INSERT INTO outbox (id, subject, payload, published_at) VALUES (${old}, 'takeover.placed', ${sql.json({ old })}, now() - interval '1 minute')`;

    // Leader A, on its own pool: publishes, then loses the database for good (as a process that died), so it never
    // renews its lease, never runs a pass, never releases.
    const dbA = createSql(temp.url, { max: 2 });
    const a = relay(dbA);
    const published = await insert(30);
    a.wake();
    await until(async () => (await unpublished()) === 0, 10_000, "A published the rows");
    expect(a.stats.leader).toBe(true);
    await dbA.end({ timeout: 0 });
    // The broker fault A would have seen (and died before re-checking).
    await loseStream();
    expect(await inStream()).toBe(0);

    const b = relay(sql);
    try {
      await until(() => b.republished.passes > 0, 10_000, "B took over and ran its re-check");
      expect(b.republished).toEqual({ passes: 1, confirmed: 0, restored: published.length });
      expect(await inStream()).toBe(published.length); // restored, and the old row was not published a second time
    } finally {
      await b.stop(); // nothing pending: a clean release
    }
    const [lease] = await sql<{ holder: string }[]>`SELECT holder FROM outbox_relay_lease`;
    expect(lease?.holder).toBe("");

    // After a clean release the next leader re-checks nothing (the cost of a rolling restart stays zero), even if
    // the broker then loses the stream: that loss is a new broker fault, which the leader itself must see.
    await loseStream();
    const c = relay(sql);
    try {
      const more = await insert(5);
      c.wake();
      await until(async () => (await unpublished()) === 0 && c.stats.leader, 10_000, "C leads and published");
      await Bun.sleep(REPUBLISH.settleMs * 5);
      expect(c.republished.passes).toBe(0);
      expect(await inStream()).toBe(more.length);
    } finally {
      await c.stop();
      await a.stop();
    }
  }, 60_000);
});
