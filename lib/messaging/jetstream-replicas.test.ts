// NATS_STREAM_REPLICAS on real servers: applied to an existing stream on a three-node cluster, refused with a clear message where it cannot be.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { type NatsCluster, startNatsCluster } from "../testing/nats-cluster.ts";
import { until } from "../testing/nats-server.ts";
import { ReplicasRefusedError } from "./jetstream/replicas.ts";
import { createJetStreamTransport } from "./jetstream/transport.ts";

const TEST_NATS_URL = process.env.TEST_NATS_URL || "nats://127.0.0.1:4222";
const stream = (name: string) => ({ name, subjects: [`${name.toLowerCase()}.>`], duplicateWindowMs: 60_000 });

describe("stream replicas [nats, nats cluster]", () => {
  let cluster: NatsCluster;
  beforeAll(async () => {
    cluster = await startNatsCluster();
  }, 30_000);
  afterAll(async () => cluster?.stop(), 15_000);

  const replicasOf = async (name: string) => {
    const nc = await connect({ servers: cluster.urls });
    try {
      const info = await (await jetstreamManager(nc)).streams.info(name);
      return { replicas: info.config.num_replicas, peers: 1 + (info.cluster?.replicas?.length ?? 0) };
    } finally {
      await nc.close();
    }
  };

  test("an existing one-replica stream is moved to three on start; the count is kept across later starts", async () => {
    const one = await createJetStreamTransport({ url: cluster.url, name: "replicas-1" });
    await one.ensureStream(stream("GROW"));
    await one.close();
    expect(await replicasOf("GROW")).toEqual({ replicas: 1, peers: 1 });
    const three = await createJetStreamTransport({ url: cluster.url, name: "replicas-3", streamReplicas: 3 });
    await three.ensureStream(stream("GROW"));
    await three.ensureStream(stream("GROW")); // idempotent
    await three.close();
    expect((await replicasOf("GROW")).replicas).toBe(3);
    // The new copies join in the background: every node ends up holding one.
    await until(async () => (await replicasOf("GROW")).peers === 3, 10_000, "three peers");
  }, 20_000);

  test("more replicas than the cluster has nodes: refused, naming the setting", async () => {
    const five = await createJetStreamTransport({ url: cluster.url, name: "replicas-5", streamReplicas: 5 });
    try {
      const err = await five.ensureStream(stream("TOOMANY")).catch((e) => e);
      expect(err).toBeInstanceOf(ReplicasRefusedError);
      expect(err.message).toContain("NATS_STREAM_REPLICAS=5 cannot be placed");
      await five
        .ensureStream(stream("GROW"))
        .catch((e) => e)
        .then((e) => expect(e).toBeInstanceOf(ReplicasRefusedError));
      expect((await replicasOf("GROW")).replicas).toBe(3); // unchanged
    } finally {
      await five.close();
    }
  }, 20_000);

  test("a single, non-clustered server with more than one replica: refused before asking it", async () => {
    const t = await createJetStreamTransport({ url: TEST_NATS_URL, name: "replicas-single", streamReplicas: 3 });
    try {
      const err = await t.ensureStream(stream(`SINGLE_${crypto.randomUUID().slice(0, 8)}`)).catch((e) => e);
      expect(err).toBeInstanceOf(ReplicasRefusedError);
      expect(err.message).toContain("NATS_STREAM_REPLICAS=3 needs a NATS cluster, but the server is not clustered");
    } finally {
      await t.close();
    }
  });
});
