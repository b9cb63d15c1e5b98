// Stream replica counts (NATS_STREAM_REPLICAS): checked against the server before a create or update, refusals explained.
import type { JetStreamManager, StreamInfo } from "@nats-io/jetstream";
import type { Logger } from "../../logging/logger.ts";
import { apiCode, describeError } from "./errors.ts";

/** nats-server's own bound on num_replicas. */
export const MAX_STREAM_REPLICAS = 5;

const ReplicaCode = { NonClustered: 10074, NoSuitablePeers: 10005, MaximumReplicas: 10052 } as const;

/** A replica count the broker will not give this stream: a configuration problem, not an outage. */
export class ReplicasRefusedError extends Error {
  override name = "ReplicasRefusedError";
}

/** Refuses up front what a single (non-clustered) server can never do, with the setting to change. */
export function checkReplicas(stream: string, replicas: number, clustered: boolean): void {
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > MAX_STREAM_REPLICAS) {
    throw new ReplicasRefusedError(`stream ${stream}: NATS_STREAM_REPLICAS=${replicas} is out of range (1–${MAX_STREAM_REPLICAS})`);
  }
  if (replicas > 1 && !clustered) {
    throw new ReplicasRefusedError(
      `stream ${stream}: NATS_STREAM_REPLICAS=${replicas} needs a NATS cluster, but the server is not clustered (set NATS_STREAM_REPLICAS=1, or run ${replicas}+ clustered JetStream servers)`,
    );
  }
}

/** The server's refusal of a replica count as ReplicasRefusedError; any other error as it is. */
export function explainReplicaRefusal(err: unknown, stream: string, replicas: number): unknown {
  const code = apiCode(err);
  if (code === ReplicaCode.NoSuitablePeers) {
    return new ReplicasRefusedError(
      `stream ${stream}: NATS_STREAM_REPLICAS=${replicas} cannot be placed: the cluster has fewer than ${replicas} JetStream servers available (${describeError(err)})`,
      { cause: err },
    );
  }
  if (code === ReplicaCode.NonClustered || code === ReplicaCode.MaximumReplicas) {
    return new ReplicasRefusedError(`stream ${stream}: NATS_STREAM_REPLICAS=${replicas} refused by the server (${describeError(err)})`, { cause: err });
  }
  return err;
}

/**
 * Brings an existing stream (e.g. a KV bucket's) to `replicas`; nats-server moves replicas in place on a cluster.
 * Returns the stream's info after the change (or as it was when nothing changed).
 */
export async function applyReplicas(jsm: JetStreamManager, info: StreamInfo, replicas: number, clustered: boolean, log: Logger): Promise<StreamInfo> {
  const stream = info.config.name;
  const have = info.config.num_replicas || 1;
  if (have === replicas) return info;
  checkReplicas(stream, replicas, clustered);
  try {
    // update() reads the current config and merges this into it.
    const updated = await jsm.streams.update(stream, { num_replicas: replicas });
    log.info("stream replicas changed", { stream, from: have, to: replicas });
    return updated;
  } catch (err) {
    throw explainReplicaRefusal(err, stream, replicas);
  }
}
