// The outbox relay: publishes committed outbox rows to the broker, marking each published only after its PubAck.
import type { Sql } from "../../../lib/db/postgres.ts";
import type { Logger } from "../../../lib/logging/logger.ts";
import { backoffDelay } from "../../../lib/messaging/backoff.ts";
import { fulfilsWithin } from "../../../lib/messaging/jetstream/timeout.ts";
import { PermanentPublishError, type StreamConfig, type Transport } from "../../../lib/messaging/types.ts";
import type { RelayMetrics } from "./outbox-metrics.ts";
import { claimDue, markFailed, markPublished, type OutboxRow, type RowFailure, releaseLease, takeLease } from "./outbox-store.ts";
import { createRepublisher, type RepublishOptions, type RepublishStats } from "./republisher.ts";

export interface RelayOptions {
  sql: Sql;
  transport: Transport;
  log: Logger;
  batchSize?: number;
  /** Poll interval when there is nothing to do (an in-process wake() skips the wait). */
  idleMs?: number;
  /** How often a standby checks whether the leader is gone. */
  standbyMs?: number;
  /** Leadership lease: renewed by the leader's successful batches; a leader that stops renewing loses it after this long (default 10 s). */
  leaseMs?: number;
  publishTimeoutMs?: number;
  /** orders_outbox_published_total / orders_outbox_publish_failures_total, when given. */
  metrics?: RelayMetrics;
  /**
   * The stream the rows go to. When given, broker faults (publish errors, reconnects, leader changes) trigger a
   * re-publish of the rows published around them, inside half its duplicate window (see republisher.ts).
   */
  stream?: StreamConfig;
  /** Timing of the re-publish passes (tests). */
  republish?: Pick<RepublishOptions, "beforeMs" | "settleMs" | "maxOpenMs" | "takeoverLookbackMs">;
}

export interface Relay {
  /** Publish without waiting for the next poll (called after a request wrote to the outbox). */
  wake(): void;
  /** Finishes the batch in progress, then stops. */
  stop(): Promise<void>;
  readonly stats: RelayStats;
  /** What the re-publish passes after faults found (zeros without a stream or without faults). */
  readonly republished: RepublishStats;
}

export interface RelayStats {
  published: number;
  failed: number;
  dead: number;
  leader: boolean;
}

/** Advisory lock key: held by each batch transaction, so two batches never overlap (the lease decides who runs them). */
export const RELAY_LOCK_KEY = 0x52454c59; // "RELY"
const ROW_BACKOFF = { baseMs: 500, maxMs: 30_000 };
const BROKER_DOWN_BACKOFF = { baseMs: 200, maxMs: 5_000 };
const enc = new TextEncoder();

export function startRelay(opts: RelayOptions): Relay {
  const { sql, transport, log } = opts;
  const batchSize = opts.batchSize ?? 256;
  const idleMs = opts.idleMs ?? 50;
  const standbyMs = opts.standbyMs ?? 1_000;
  const stats: RelayStats = { published: 0, failed: 0, dead: 0, leader: false };
  const leaseMs = opts.leaseMs ?? 10_000;
  const me = crypto.randomUUID();
  // Until when (local clock) this relay's lease surely runs: it is renewed once less than half of it is left.
  let leaseUntil = 0;
  let running = true;
  let wakeUp: (() => void) | undefined;
  // A wake() during a batch must not be lost: the next pause then returns at once.
  let woken = false;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      if (woken) {
        woken = false;
        resolve();
        return;
      }
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wakeUp = undefined;
        woken = false;
        resolve();
      }
      wakeUp = done;
    });

  const publishRow = (r: Pick<OutboxRow, "id" | "subject" | "payload" | "headers">) =>
    transport.publish(
      { subject: r.subject, id: r.id, data: enc.encode(JSON.stringify(r.payload)), headers: r.headers },
      { timeoutMs: opts.publishTimeoutMs ?? 5_000 },
    );
  const stream = opts.stream;
  const republisher = stream
    ? createRepublisher({
        sql,
        publish: (m) => transport.publish(m, { timeoutMs: opts.publishTimeoutMs ?? 5_000 }),
        log,
        metrics: opts.metrics,
        maxAgeMs: stream.duplicateWindowMs / 2,
        // What a leader that died may have left unchecked: a window open up to maxOpenMs, reaching beforeMs further
        // back, ended at most one lease before this relay took over.
        takeoverLookbackMs: leaseMs + (opts.republish?.maxOpenMs ?? 30_000) + (opts.republish?.beforeMs ?? 5_000),
        ...opts.republish,
      })
    : undefined;
  const unwatch = stream && republisher ? transport.watchFaults(stream.name, (f) => republisher.fault(f)) : () => {};

  /** One batch in one transaction: rows stay locked (and unpublished) unless their PubAck arrived before COMMIT. */
  const runBatch = () =>
    sql.begin(async (tx) => {
      const [lock] = await tx`SELECT pg_try_advisory_xact_lock(${RELAY_LOCK_KEY}) AS ok`;
      // Another relay's transaction (a standby checking the lease, or the leader's batch): nobody's role changes.
      if (!lock?.ok) return { kind: "busy" as const };
      const askedAt = Date.now();
      let renewed: number | undefined;
      let takenOver = false;
      if (askedAt > leaseUntil - leaseMs / 2) {
        const outcome = await takeLease(tx, me, leaseMs);
        if (outcome === "refused") return { kind: "standby" as const };
        renewed = askedAt + leaseMs;
        takenOver = outcome === "taken-over";
      }
      const rows = await claimDue(tx, batchSize);
      if (rows.length === 0) return { kind: "idle" as const, renewed, takenOver };
      const results = await Promise.allSettled(rows.map(publishRow));
      const published: string[] = [];
      const failures: RowFailure[] = [];
      results.forEach((res, i) => {
        const row = rows[i] as OutboxRow;
        if (res.status === "fulfilled") published.push(row.id);
        else if (res.reason instanceof PermanentPublishError) failures.push({ id: row.id, error: res.reason.message });
        else
          failures.push({
            id: row.id,
            error: String(res.reason?.message ?? res.reason),
            retryAt: new Date(Date.now() + backoffDelay(row.attempts + 1, ROW_BACKOFF)),
          });
      });
      // Every publish failed transiently: the broker is down. Roll back (rows untouched) and back off as a whole.
      if (published.length === 0 && failures.every((f) => f.retryAt)) throw new BrokerDownError(failures[0]?.error ?? "publish failed", failures.length);
      await markPublished(tx, published);
      await markFailed(tx, failures);
      return { kind: "worked" as const, count: rows.length, published, failures, renewed, takenOver };
    });

  const loop = async () => {
    let downStreak = 0;
    while (running) {
      try {
        await republisher?.runDue();
        const r = await runBatch();
        downStreak = 0;
        if (r.kind === "busy") {
          await pause(stats.leader ? idleMs : standbyMs);
          continue;
        }
        if (r.kind === "standby") {
          leaseUntil = 0;
          if (stats.leader) log.info("outbox relay: now standby");
          stats.leader = false;
          await pause(standbyMs);
          continue;
        }
        // Only a committed renewal counts: one rolled back with its batch never reached the table.
        if (r.renewed) leaseUntil = r.renewed;
        // The previous leader stopped renewing without a clean release: a re-check it had pending died with it.
        if (r.takenOver) republisher?.takeover();
        if (!stats.leader) log.info("outbox relay: now leader", r.takenOver ? { taken_over: true } : {});
        stats.leader = true;
        if (r.kind === "idle") {
          await pause(idleMs);
          continue;
        }
        stats.published += r.published.length;
        opts.metrics?.published.inc(r.published.length);
        republisher?.published(r.published);
        if (r.failures.some((f) => f.retryAt)) republisher?.fault("publish error");
        opts.metrics?.publishFailures.inc(r.failures.length);
        for (const f of r.failures) {
          if (f.retryAt) stats.failed++;
          else stats.dead++;
          log[f.retryAt ? "warn" : "error"](f.retryAt ? "outbox publish failed; will retry" : "outbox row is dead: the broker will never accept it", {
            event_id: f.id,
            error: f.error,
            retry_at: f.retryAt?.toISOString(),
          });
        }
        if (r.count < batchSize) await pause(idleMs);
      } catch (err) {
        if (err instanceof BrokerDownError) {
          opts.metrics?.publishFailures.inc(err.events);
          republisher?.fault("publish error");
        }
        downStreak++;
        const delay = backoffDelay(downStreak, BROKER_DOWN_BACKOFF);
        if (downStreak === 1 || downStreak % 20 === 0) {
          log.warn("outbox relay batch failed; backing off", {
            error: err instanceof Error ? err.message : String(err),
            retry_in_ms: delay,
            streak: downStreak,
          });
        }
        await pause(delay);
      }
    }
  };

  log.info("outbox relay started", { batch_size: batchSize, idle_ms: idleMs });
  const done = loop();
  return {
    wake: () => {
      if (wakeUp) wakeUp();
      else woken = true;
    },
    stats,
    republished: republisher?.stats ?? { passes: 0, confirmed: 0, restored: 0 },
    async stop() {
      running = false;
      wakeUp?.();
      await done;
      unwatch();
      // A re-check still due runs now: released clean, the next leader need not repeat it (bounded: a pass that fails
      // or outlasts one publish timeout leaves the release unclean, and the next leader re-checks).
      const checked = republisher ? await fulfilsWithin(republisher.runDue(true), opts.publishTimeoutMs ?? 5_000) : true;
      const clean = checked && !republisher?.pending;
      if (stats.leader) await releaseLease(sql, me, clean).catch((err) => log.warn("relay lease not released", { err: (err as Error).message }));
      log.info("outbox relay stopped", { published: stats.published });
    },
  };
}

class BrokerDownError extends Error {
  override name = "BrokerDownError";
  constructor(
    message: string,
    /** Events whose publish failed in the batch. */
    readonly events: number,
  ) {
    super(message);
  }
}
