// Opens (or creates) the gateway's shared rate-limit KV bucket with NATS_STREAM_REPLICAS copies, changing an existing bucket's count in place.
import { jetstreamManager } from "@nats-io/jetstream";
import { type KV, Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/nats-core";
import type { Logger } from "../../../lib/logging/logger.ts";
import { applyReplicas, checkReplicas } from "../../../lib/messaging/jetstream/replicas.ts";
import { rateLimitBucketOptions } from "./nats-kv-limiter.ts";
import type { RatePolicy } from "./policies.ts";

export async function openRateLimitBucket(
  nc: NatsConnection,
  bucket: string,
  opts: { policies: readonly RatePolicy[]; replicas: number; log: Logger },
): Promise<KV> {
  const clustered = Boolean(nc.info?.cluster);
  // A new bucket is created with the count; create() leaves an existing one as it is, so that one is updated below.
  checkReplicas(`KV_${bucket}`, opts.replicas, clustered);
  const kv = await new Kvm(nc).create(bucket, { ...rateLimitBucketOptions(opts.policies), replicas: opts.replicas });
  const jsm = await jetstreamManager(nc);
  await applyReplicas(jsm, await jsm.streams.info(`KV_${bucket}`), opts.replicas, clustered, opts.log);
  return kv;
}
