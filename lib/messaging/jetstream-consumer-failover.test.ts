// A durable pull consumer across a kill -9 of its consumer leader on a three-node cluster: it keeps making progress.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { createLogger } from "../logging/logger.ts";
import { type NatsCluster, startNatsCluster } from "../testing/nats-cluster.ts";
import { until } from "../testing/nats-server.ts";
import { createJetStreamTransport } from "./jetstream/transport.ts";
import type { ConsumerConfig, StreamConfig, Transport } from "./types.ts";

const STREAM: StreamConfig = { name: "FAILOVER", subjects: ["failover.>"], duplicateWindowMs: 60_000 };
const CONSUMER: ConsumerConfig = {
  stream: STREAM.name,
  durable: "failover-worker",
  filterSubjects: ["failover.>"],
  ackWaitMs: 3_000,
  maxDeliver: 10,
  maxAckPending: 1_000,
};
const RATE = 20;

describe("pull consumer across a consumer-leader kill [nats cluster]", () => {
  let cluster: NatsCluster;
  let publisher: Transport;
  beforeAll(async () => {
    cluster = await startNatsCluster({ progress: () => {} });
    publisher = await createJetStreamTransport({ url: cluster.url, name: "failover-publisher", streamReplicas: 3 });
    await publisher.ensureStream(STREAM);
    await publisher.ensureConsumer(CONSUMER);
  }, 40_000);
  afterAll(async () => {
    await publisher?.close();
    await cluster?.stop();
  }, 30_000);

  const consumerLeader = async (): Promise<string | undefined> => {
    const nc = await connect({ servers: cluster.urls });
    try {
      return (await (await jetstreamManager(nc)).consumers.info(STREAM.name, CONSUMER.durable)).cluster?.leader;
    } finally {
      await nc.close();
    }
  };

  test("messages published after the kill are handled as soon as a new consumer leader is elected", async () => {
    let leader: string | undefined;
    await until(
      async () => {
        leader = await consumerLeader();
        return leader !== undefined;
      },
      15_000,
      "a consumer leader",
    );
    // The consumer's connection is to a node that survives: no reconnect, so nothing but the leader change itself
    // can tell the client its pull request died with the old leader.
    const node = cluster.nodes.find((n) => n.name !== leader);
    if (!node || !leader) throw new Error("no node besides the consumer leader");
    const lines: string[] = [];
    const consumerSide = await createJetStreamTransport({
      url: node.url,
      name: "failover-consumer",
      streamReplicas: 3,
      log: createLogger({ service: "failover", level: "info", sink: (l) => lines.push(l) }),
    });
    const handled = new Map<number, number>(); // n → when handled
    const sub = await consumerSide.consume(CONSUMER, {
      batch: 16,
      concurrency: 32,
      handler: async (d) => {
        handled.set(JSON.parse(new TextDecoder().decode(d.data)).n as number, Date.now());
        await d.ack();
      },
    });
    let publishing = true;
    let sent = 0;
    const ackedAt = new Map<number, number>();
    const pump = (async () => {
      while (publishing) {
        const n = sent++;
        const data = new TextEncoder().encode(JSON.stringify({ n }));
        // Retried under the same id while the stream elects a leader.
        for (;;) {
          try {
            await publisher.publish({ subject: "failover.e", id: `e-${n}`, data }, { timeoutMs: 2_000 });
            ackedAt.set(n, Date.now());
            break;
          } catch {
            await Bun.sleep(100);
          }
        }
        await Bun.sleep(1_000 / RATE);
      }
    })();
    try {
      await until(() => handled.size >= 20, 10_000, "the consumer running");
      // When the new consumer leader announces itself, seen from outside the code under test.
      const watcher = await connect({ servers: node.url });
      let electedAt = Number.NaN;
      watcher.subscribe(`$JS.EVENT.ADVISORY.CONSUMER.LEADER_ELECTED.${STREAM.name}.${CONSUMER.durable}`, {
        callback: () => {
          if (Number.isNaN(electedAt)) electedAt = Date.now();
        },
      });
      await watcher.flush();
      const killedAt = Date.now();
      await cluster.kill(leader);
      // Progress: a message stored after the kill (so never pulled from the old leader) is handled. Its wait counts from
      // when it could first have been pulled: stored, and a consumer leader there to serve the pull.
      let resumedMs = Number.NaN;
      let waitedMs = Number.NaN;
      await until(
        () => {
          const after = [...handled].filter(([n]) => (ackedAt.get(n) ?? 0) > killedAt + 500);
          if (after.length === 0 || Number.isNaN(electedAt)) return false;
          resumedMs = Math.min(...after.map(([, at]) => at)) - killedAt;
          waitedMs = Math.min(...after.map(([n, at]) => at - Math.max(ackedAt.get(n) as number, electedAt)));
          return true;
        },
        30_000,
        "progress after the kill",
      );
      const replaced = lines
        .filter((l) => l.includes("consumer pull replaced"))
        .map((l) => `${Date.parse(JSON.parse(l).time) - killedAt} ms: ${JSON.parse(l).reason}`);
      await watcher.close();
      console.log(
        `consumer leader ${leader} killed; new leader elected after ${electedAt - killedAt} ms; consumer on ${node.name} handled a new message after ${resumedMs} ms (${waitedMs} ms after it could be pulled); pull replaced at ${replaced.join(", ")}`,
      );
      publishing = false;
      await pump;
      await until(() => handled.size === sent, 20_000, "every message handled");
      // Progress follows the election at once; nats.js alone waits for two missed heartbeats (expires 10 s → 10–15 s
      // after the kill) and then for a consumer info, 19 s in the run that found this.
      expect(electedAt).toBeGreaterThan(killedAt);
      expect(waitedMs).toBeLessThan(2_000);
      await cluster.restart(leader);
    } finally {
      publishing = false;
      await pump;
      await sub.stop();
      await consumerSide.close();
    }
  }, 90_000);
});
