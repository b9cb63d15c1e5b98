// The relay on a real three-node NATS cluster (ORDERS with 3 replicas): repeated stream-leader kills during load lose no event.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { migrate } from "../../../lib/db/migrate.ts";
import { createSql, type Sql } from "../../../lib/db/postgres.ts";
import { createLogger, silentLogger } from "../../../lib/logging/logger.ts";
import { createJetStreamTransport } from "../../../lib/messaging/jetstream/transport.ts";
import { ORDERS_STREAM } from "../../../lib/messaging/topology.ts";
import type { Transport } from "../../../lib/messaging/types.ts";
import { type NatsCluster, startNatsCluster } from "../../../lib/testing/nats-cluster.ts";
import { until } from "../../../lib/testing/nats-server.ts";
import { createTempDatabase } from "../../../lib/testing/temp-database.ts";
import { migrations } from "../migrations/index.ts";
import { startRelay } from "./relay.ts";

const KILLS = Number(process.env.FAILOVER_KILLS ?? 4);
const RATE = 150;

describe("outbox relay across NATS stream-leader kills [postgres, nats cluster]", () => {
  let cluster: NatsCluster;
  let temp: Awaited<ReturnType<typeof createTempDatabase>>;
  let sql: Sql;
  let transport: Transport;
  beforeAll(async () => {
    cluster = await startNatsCluster();
    temp = await createTempDatabase("relay_failover");
    sql = createSql(temp.url, { max: 6 });
    await migrate(sql, migrations, { log: silentLogger });
    transport = await createJetStreamTransport({ url: cluster.url, name: "relay-failover", streamReplicas: 3 });
    await transport.ensureStream(ORDERS_STREAM);
  }, 40_000);
  afterAll(async () => {
    await transport?.close();
    await sql?.end({ timeout: 1 });
    await temp?.drop();
    await cluster?.stop();
  }, 30_000);

  test(`${KILLS} leader kills (each restarted) under ${RATE} events/s: the stream ends with every outbox row exactly once`, async () => {
    const lines: string[] = [];
    const log = createLogger({ service: "relay-failover", level: "info", sink: (l) => lines.push(l) });
    const relay = startRelay({ sql, transport, log, stream: ORDERS_STREAM, publishTimeoutMs: 2_000, republish: { settleMs: 1_000 } });
    let inserting = true;
    let rows = 0;
    const inserter = (async () => {
      const t0 = performance.now();
      while (inserting) {
        const due = Math.floor(((performance.now() - t0) / 1000) * RATE);
        for (; rows < due; rows++) {
          const id = crypto.randomUUID();
          await sql`INSERT INTO outbox (id, subject, payload) VALUES (${id}, 'orders.placed', ${sql.json({ id, n: rows })})`;
        }
        relay.wake();
        await Bun.sleep(20);
      }
    })();
    const killed: string[] = [];
    for (let k = 0; k < KILLS; k++) {
      await Bun.sleep(1_500);
      const leader = await cluster.waitLeader(ORDERS_STREAM.name);
      killed.push(leader);
      await cluster.kill(leader);
      await Bun.sleep(1_500);
      await cluster.restart(leader);
    }
    inserting = false;
    await inserter;
    const unpublished = async () => (await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL`)[0]?.n ?? -1;
    await until(async () => (await unpublished()) === 0, 30_000, "outbox drained");
    // The last fault's pass runs once the broker has been quiet for the settle time.
    await Bun.sleep(2_500);
    await until(async () => relay.republished.passes > 0 || relay.stats.failed === 0, 10_000, "passes done");
    const stored = await until(async () => (await transport.countMessages(ORDERS_STREAM.name).catch(() => -1)) >= 0, 15_000, "stream info answered").then(() =>
      transport.countMessages(ORDERS_STREAM.name),
    );
    await relay.stop();
    console.log(
      `relay failover: kills ${killed.join(",")}; rows ${rows}; stream ${stored}; passes ${relay.republished.passes}, confirmed ${relay.republished.confirmed}, restored ${relay.republished.restored}; publish failures ${relay.stats.failed}`,
    );
    expect(stored).toBe(rows);
    expect(relay.republished.passes).toBeGreaterThan(0); // the faults were seen and the rows around them re-checked
    expect(lines.filter((l) => l.includes("restored events the broker had lost")).length).toBe(relay.republished.restored > 0 ? relay.republished.passes : 0);
  }, 90_000);
});
