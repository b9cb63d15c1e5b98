// The three-node cluster helper: replicated stream, leader lookup, a leader kill with failover, restart and stop.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { type NatsCluster, startNatsCluster } from "./nats-cluster.ts";

describe("three-node nats-server cluster [nats cluster]", () => {
  let cluster: NatsCluster;
  beforeAll(async () => {
    cluster = await startNatsCluster();
  }, 30_000);
  afterAll(async () => cluster?.stop(), 15_000);

  test("a stream with three replicas survives its leader's SIGKILL; the node comes back on its store; stop ends every process", async () => {
    expect(cluster.running()).toEqual(["n1", "n2", "n3"]);
    const nc = await connect({ servers: cluster.urls });
    try {
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: "R3", subjects: ["r3.>"], num_replicas: 3 });
      const js = jetstream(nc);
      for (let i = 0; i < 20; i++) await js.publish(`r3.${i}`, new TextEncoder().encode(String(i)));
      const leader = await cluster.waitLeader("R3");
      expect(["n1", "n2", "n3"]).toContain(leader);

      await cluster.kill(leader);
      expect(cluster.running()).not.toContain(leader);
      const next = await cluster.waitLeader("R3");
      expect(next).not.toBe(leader);
      await js.publish("r3.after", new TextEncoder().encode("after"));
      expect((await jsm.streams.info("R3")).state.messages).toBe(21);

      await cluster.restart(leader);
      expect(cluster.running()).toHaveLength(3);
      expect(await cluster.leaderOf("NOPE")).toBeUndefined();
      const pids = cluster.nodes.map((n) => n.pid);
      expect(pids.every((p) => typeof p === "number")).toBe(true);
    } finally {
      await nc.close();
    }
    await cluster.stop();
    expect(cluster.running()).toEqual([]);
    expect(cluster.nodes.map((n) => n.pid)).toEqual([undefined, undefined, undefined]);
  }, 60_000);
});
