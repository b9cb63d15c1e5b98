// Creates or updates streams and durable pull consumers so they match the platform's config (idempotent, nats-server 2.9 and 2.10+).
import {
  AckPolicy,
  type ConsumerInfo,
  DeliverPolicy,
  DiscardPolicy,
  type JetStreamManager,
  type ConsumerConfig as JsConsumerConfig,
  type StreamConfig as JsStreamConfig,
  ReplayPolicy,
  RetentionPolicy,
  StorageType,
  type StreamInfo,
} from "@nats-io/jetstream";
import { nanos } from "@nats-io/nats-core";
import type { Logger } from "../../logging/logger.ts";
import type { ConsumerConfig, StreamConfig } from "../types.ts";
import { ApiCode, apiCode } from "./errors.ts";
import { applyReplicas, checkReplicas, explainReplicaRefusal } from "./replicas.ts";

const STREAM_NAME_IN_USE = 10058;

/** The stream settings this transport owns; everything else keeps the server's value. Only fields nats-server 2.9 knows. */
export function streamSettings(c: StreamConfig) {
  return {
    subjects: [...c.subjects],
    duplicate_window: nanos(c.duplicateWindowMs),
    max_msg_size: c.maxMessageBytes ?? -1,
    max_age: nanos(c.maxAgeMs ?? 0),
    discard: DiscardPolicy.Old,
  };
}

const sameSet = (a: string[] | undefined, b: string[] | undefined) => JSON.stringify([...(a ?? [])].sort()) === JSON.stringify([...(b ?? [])].sort());

function streamMatches(have: JsStreamConfig, want: ReturnType<typeof streamSettings>): boolean {
  return (
    sameSet(have.subjects, want.subjects) &&
    have.duplicate_window === want.duplicate_window &&
    have.max_msg_size === want.max_msg_size &&
    have.max_age === want.max_age &&
    have.discard === want.discard
  );
}

async function streamInfo(jsm: JetStreamManager, name: string): Promise<StreamInfo | undefined> {
  try {
    return await jsm.streams.info(name);
  } catch (err) {
    if (apiCode(err) === ApiCode.StreamNotFound) return undefined;
    throw err;
  }
}

/** Where a stream's copies live: how many replicas, and whether the server is part of a cluster (more than 1 needs one). */
export interface Placement {
  replicas: number;
  clustered: boolean;
}

export async function ensureStream(jsm: JetStreamManager, c: StreamConfig, log: Logger, placement: Placement, retried = false): Promise<void> {
  const want = streamSettings(c);
  const { replicas, clustered } = placement;
  const have = await streamInfo(jsm, c.name);
  if (!have) {
    checkReplicas(c.name, replicas, clustered);
    try {
      await jsm.streams.add({ name: c.name, storage: StorageType.File, retention: RetentionPolicy.Limits, num_replicas: replicas, ...want });
      log.info("stream created", { stream: c.name, subjects: c.subjects, replicas });
      return;
    } catch (err) {
      // Another instance created it first with other settings: bring it in line with ours.
      if (apiCode(err) === STREAM_NAME_IN_USE && !retried) return ensureStream(jsm, c, log, placement, true);
      throw explainReplicaRefusal(err, c.name, replicas);
    }
  }
  if (have.config.storage !== StorageType.File) log.warn("stream does not use file storage (cannot be changed in place)", { stream: c.name });
  if (!streamMatches(have.config, want)) {
    await jsm.streams.update(c.name, want);
    log.info("stream updated", { stream: c.name, subjects: c.subjects });
  }
  // After the settings, so a refused replica count never holds back a subject change.
  await applyReplicas(jsm, have, replicas, clustered, log);
}

/** The consumer settings this transport owns. One filter goes in `filter_subject` (all versions); several need 2.10's `filter_subjects`. */
export function consumerSettings(c: ConsumerConfig, multiFilter: boolean) {
  const filters = [...new Set(c.filterSubjects)];
  if (filters.length > 1 && !multiFilter) {
    throw new Error(`consumer ${c.stream}/${c.durable} filters on ${filters.length} subjects; nats-server ≥ 2.10 is needed for more than one`);
  }
  return {
    ack_wait: nanos(c.ackWaitMs),
    max_deliver: c.maxDeliver,
    max_ack_pending: c.maxAckPending,
    filter_subject: filters.length === 1 ? filters[0] : undefined,
    filter_subjects: filters.length > 1 ? filters : undefined,
  };
}

function consumerMatches(have: JsConsumerConfig, want: ReturnType<typeof consumerSettings>): boolean {
  const haveFilters = have.filter_subjects?.length ? have.filter_subjects : have.filter_subject ? [have.filter_subject] : [];
  const wantFilters = want.filter_subjects ?? (want.filter_subject ? [want.filter_subject] : []);
  return (
    have.ack_wait === want.ack_wait &&
    have.max_deliver === want.max_deliver &&
    have.max_ack_pending === want.max_ack_pending &&
    sameSet(haveFilters, wantFilters) &&
    // A change between the two filter fields needs an update even when the subjects are the same.
    Boolean(have.filter_subjects?.length) === Boolean(want.filter_subjects)
  );
}

async function consumerInfo(jsm: JetStreamManager, stream: string, durable: string): Promise<ConsumerInfo | undefined> {
  try {
    return await jsm.consumers.info(stream, durable);
  } catch (err) {
    if (apiCode(err) === ApiCode.ConsumerNotFound) return undefined;
    throw err;
  }
}

export async function ensureConsumer(jsm: JetStreamManager, c: ConsumerConfig, multiFilter: boolean, log: Logger): Promise<void> {
  const want = consumerSettings(c, multiFilter);
  const have = await consumerInfo(jsm, c.stream, c.durable);
  if (!have) {
    const cfg: Partial<JsConsumerConfig> = {
      durable_name: c.durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      replay_policy: ReplayPolicy.Instant,
      ...want,
    };
    if (!want.filter_subject) delete cfg.filter_subject;
    if (!want.filter_subjects) delete cfg.filter_subjects;
    await jsm.consumers.add(c.stream, cfg);
    log.info("consumer created", { stream: c.stream, durable: c.durable });
    return;
  }
  if (have.config.deliver_subject || have.config.ack_policy !== AckPolicy.Explicit) {
    throw new Error(`consumer ${c.stream}/${c.durable} exists but is not an explicit-ack pull consumer; delete it to let it be recreated`);
  }
  if (have.config.deliver_policy !== DeliverPolicy.All)
    log.warn("consumer does not start at the stream's first message (cannot be changed in place)", { stream: c.stream, durable: c.durable });
  if (consumerMatches(have.config, want)) return;
  // update() merges into the current config; an `undefined` field is dropped from the request, which clears it.
  await jsm.consumers.update(c.stream, c.durable, want);
  log.info("consumer updated", { stream: c.stream, durable: c.durable });
}
