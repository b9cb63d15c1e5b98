// The chaos suite's invariants: what must hold after every scenario, measured from the databases, the stream, the DLQ and the client's log.
import { DLQ_STREAM, ORDERS_STREAM } from "../../lib/messaging/topology.ts";
import { notificationsAdminClient } from "../pipeline/clients.ts";
import { isIdle } from "../pipeline/harness.ts";
import type { FaultContext } from "./faults.ts";
import type { LoadResult } from "./load.ts";

export interface Check {
  invariant: string;
  ok: boolean;
  /** The figures it compared, and for a break the offending ids (a few). */
  detail: string;
}

const few = (ids: string[]) => (ids.length === 0 ? "" : ` [${ids.slice(0, 5).join(", ")}${ids.length > 5 ? `, … ${ids.length - 5} more` : ""}]`);
const minus = <T>(a: Iterable<T>, b: Set<T>) => [...a].filter((x) => !b.has(x));

/** Retries a read that fails while a stream elects a leader. */
async function retried<T>(f: () => Promise<T>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      return await f();
    } catch (err) {
      if (Date.now() > end) throw err;
      await Bun.sleep(250);
    }
  }
}

/** Waits (bounded) until the pipeline has caught up: nothing unpublished, every order notified, the consumer idle, the poison dead-lettered. */
export async function settle(ctx: FaultContext, ms: number): Promise<boolean> {
  const { p } = ctx.world;
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      const c = await p.counts();
      const dlq = await p.transport.countMessages(DLQ_STREAM.name);
      if (c.unpublished === 0 && c.notifications >= c.orders && dlq >= ctx.poison.size && isIdle(await p.consumerLag())) return true;
    } catch {
      // an election under way: look again
    }
    await Bun.sleep(500);
  }
  return false;
}

export async function checkInvariants(ctx: FaultContext, load: LoadResult): Promise<{ checks: Check[]; figures: Record<string, number> }> {
  const { p, stub, slots, alive } = ctx.world;
  const orderIds = new Set((await p.sql.orders<{ id: string }[]>`SELECT id::text AS id FROM orders`).map((r) => r.id));
  const [outbox] = await p.sql.orders<{ published: number; unpublished: number; dead: number }[]>`
    SELECT count(*) FILTER (WHERE published_at IS NOT NULL)::int AS published,
           count(*) FILTER (WHERE published_at IS NULL AND dead_at IS NULL)::int AS unpublished,
           count(*) FILTER (WHERE dead_at IS NOT NULL)::int AS dead FROM outbox`;
  const outboxIds = new Set(await p.outboxIds());
  const stream = await retried(() => p.transport.countMessages(ORDERS_STREAM.name));
  const processed = new Set((await p.sql.notifications<{ id: string }[]>`SELECT event_id::text AS id FROM processed_events`).map((r) => r.id));
  const notified = await p.notifiedEventIds();
  const notifiedSet = new Set(notified);
  const webhookOk = [...outboxIds].map((id) => [id, stub.delivered(id)] as const);
  const sentTwice = webhookOk.filter(([, n]) => n > 1).map(([id]) => id);
  const notifications = slots.find((s) => s.kind === "notifications" && alive(s));
  const dead = notifications ? await retried(() => notificationsAdminClient(notifications.proc.url, p.mint).deadLetters()) : [];
  const deadIds = new Set(dead.map((d) => d.messageId ?? `seq ${d.seq}`));
  const created = [...load.created.values()].map((b) => (JSON.parse(b) as { id: string }).id);

  const events = stream - ctx.poison.size;
  const checks: Check[] = [
    { invariant: "every 201 is an order", ok: minus(created, orderIds).length === 0, detail: `${created.length} created${few(minus(created, orderIds))}` },
    {
      invariant: "orders = outbox published",
      ok: orderIds.size === outbox?.published && outbox.unpublished === 0 && outbox.dead === 0,
      detail: `${orderIds.size} orders, ${outbox?.published} published, ${outbox?.unpublished} unpublished, ${outbox?.dead} dead`,
    },
    { invariant: "outbox published = events in the stream", ok: events === outbox?.published, detail: `${events} events (+${ctx.poison.size} poison)` },
    {
      invariant: "events = processed",
      ok: processed.size === outboxIds.size && minus(outboxIds, processed).length === 0,
      detail: `${processed.size} processed${few(minus(outboxIds, processed))}`,
    },
    {
      invariant: "processed = notifications, one per event",
      ok: notified.length === notifiedSet.size && notifiedSet.size === outboxIds.size && minus(outboxIds, notifiedSet).length === 0,
      detail: `${notified.length} notifications${few(minus(outboxIds, notifiedSet))}`,
    },
    {
      invariant: "sent once (webhook 2xx per event)",
      // After a notifications SIGKILL the dead process's answered call may be repeated, with the same Idempotency-Key.
      ok: sentTwice.length === 0 || ctx.notificationsKilled,
      detail: `${sentTwice.length} sent twice${ctx.notificationsKilled && sentTwice.length ? " (after a worker kill -9: at-least-once, same key)" : ""}${few(sentTwice)}`,
    },
    {
      invariant: "DLQ = exactly the poison set",
      ok: deadIds.size === ctx.poison.size && minus(ctx.poison, deadIds).length === 0,
      detail: `${deadIds.size} dead letters, ${ctx.poison.size} poison${few([...minus(deadIds, ctx.poison), ...minus(ctx.poison, deadIds)])}`,
    },
    { invariant: "no replayed key changed its answer", ok: load.changedReplays.length === 0, detail: `${load.replays} replays${few(load.changedReplays)}` },
    {
      invariant: "no failed client request",
      ok: load.failed.length === 0,
      detail: `${load.failed.length} failed${few(load.failed.map((f) => f.last))}; retried answers: ${JSON.stringify(Object.fromEntries(load.retriedAnswers))}`,
    },
  ];
  const figures = {
    created: created.length,
    orders: orderIds.size,
    published: outbox?.published ?? 0,
    events,
    processed: processed.size,
    notifications: notified.length,
    dlq: deadIds.size,
  };
  return { checks, figures };
}
