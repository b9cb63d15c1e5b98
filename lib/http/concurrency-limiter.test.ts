// The concurrency limiter: slots, FIFO hand-over, bounded queue, queue timeout, aborts and idempotent release.
import { describe, expect, test } from "bun:test";
import { createConcurrencyLimiter, type LimiterGrant, type LimiterResult, type LimiterTimers } from "./concurrency-limiter.ts";

/** A manual clock whose timers fire only when the test advances it. */
function manualClock() {
  let t = 0;
  let seq = 0;
  const pending = new Map<number, { at: number; fn: () => void }>();
  const timers: LimiterTimers = {
    set(fn, ms) {
      const id = ++seq;
      pending.set(id, { at: t + ms, fn });
      return id;
    },
    clear(h) {
      pending.delete(h as number);
    },
  };
  const advance = (ms: number) => {
    const end = t + ms;
    for (;;) {
      const due = [...pending.entries()].filter(([, p]) => p.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      pending.delete(due[0]);
      t = due[1].at;
      due[1].fn();
    }
    t = end;
  };
  return { now: () => t, timers, advance, armed: () => pending.size };
}

const granted = (r: LimiterResult): LimiterGrant => {
  if (!r.ok) throw new Error(`expected a grant, got ${r.reason}`);
  return r;
};
const settled = async (p: LimiterResult | Promise<LimiterResult>) => p;
/** Lets promise callbacks run. */
const tick = () => new Promise((r) => setTimeout(r, 0));

describe("concurrency limiter", () => {
  test("admits up to maxConcurrent at once, synchronously, then queues", async () => {
    const c = manualClock();
    const lim = createConcurrencyLimiter({ maxConcurrent: 2, maxQueue: 5, queueTimeoutMs: 1000, ...c });
    const a = lim.acquire();
    const b = lim.acquire();
    expect(a instanceof Promise).toBe(false);
    expect(b instanceof Promise).toBe(false);
    expect(granted(a as LimiterResult).waitedMs).toBe(0);
    const third = lim.acquire();
    expect(third instanceof Promise).toBe(true);
    expect(lim.stats()).toMatchObject({ inFlight: 2, queued: 1, admitted: 2 });
    c.advance(40);
    granted(a as LimiterResult).release();
    const got = granted(await third);
    expect(got.waitedMs).toBe(40);
    expect(lim.stats()).toMatchObject({ inFlight: 2, queued: 0, admitted: 3 });
  });

  test("FIFO: waiters are served in arrival order, and a newcomer never overtakes the queue", async () => {
    const c = manualClock();
    const lim = createConcurrencyLimiter({ maxConcurrent: 1, maxQueue: 10, queueTimeoutMs: 10_000, ...c });
    const first = granted((await settled(lim.acquire())) as LimiterResult);
    const order: number[] = [];
    const waiters = [1, 2, 3, 4, 5].map((i) =>
      (lim.acquire() as Promise<LimiterResult>).then((r) => {
        order.push(i);
        return granted(r);
      }),
    );
    first.release();
    // The slot went to waiter 1, not to this newcomer: it queues behind 2..5.
    const late = lim.acquire();
    expect(late instanceof Promise).toBe(true);
    for (const w of waiters) (await w).release();
    granted(await late).release();
    expect(order).toEqual([1, 2, 3, 4, 5]);
    expect(lim.stats()).toMatchObject({ inFlight: 0, queued: 0, admitted: 7 });
  });

  test("a full queue refuses at once with queue_full and a Retry-After of at least 1 s", async () => {
    const c = manualClock();
    const lim = createConcurrencyLimiter({ maxConcurrent: 1, maxQueue: 2, queueTimeoutMs: 5_000, ...c });
    granted(lim.acquire() as LimiterResult);
    lim.acquire();
    lim.acquire();
    const r = lim.acquire();
    expect(r instanceof Promise).toBe(false);
    expect(r).toMatchObject({ ok: false, reason: "queue_full", waitedMs: 0 });
    expect((r as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(lim.stats()).toMatchObject({ queued: 2, queueFull: 1 });
  });

  test("maxQueue 0 refuses as soon as every slot is taken", () => {
    const lim = createConcurrencyLimiter({ maxConcurrent: 1, maxQueue: 0, queueTimeoutMs: 100 });
    granted(lim.acquire() as LimiterResult);
    expect(lim.acquire()).toMatchObject({ ok: false, reason: "queue_full" });
  });

  test("Retry-After follows the recent hold time and the backlog", async () => {
    const c = manualClock();
    const lim = createConcurrencyLimiter({ maxConcurrent: 2, maxQueue: 4, queueTimeoutMs: 60_000, ...c });
    // Calls that hold their slot 3 s each.
    for (let i = 0; i < 2; i++) {
      const g = granted(lim.acquire() as LimiterResult);
      c.advance(3_000);
      g.release();
    }
    granted(lim.acquire() as LimiterResult);
    granted(lim.acquire() as LimiterResult);
    for (let i = 0; i < 4; i++) lim.acquire();
    // 4 queued + this caller, through 2 slots at 3 s each: 7.5 s → 8.
    expect(lim.acquire()).toMatchObject({ ok: false, reason: "queue_full", retryAfterSeconds: 8 });
  });

  test("a waiter past the queue timeout is refused with queue_timeout; the rest keep their place", async () => {
    const c = manualClock();
    const lim = createConcurrencyLimiter({ maxConcurrent: 1, maxQueue: 5, queueTimeoutMs: 100, ...c });
    const holder = granted(lim.acquire() as LimiterResult);
    const early = lim.acquire() as Promise<LimiterResult>;
    c.advance(60);
    const later = lim.acquire() as Promise<LimiterResult>;
    expect(c.armed()).toBe(1); // one timer for the whole queue
    c.advance(40); // t=100: the first waiter's deadline
    expect(await early).toMatchObject({ ok: false, reason: "queue_timeout", waitedMs: 100 });
    expect(lim.stats()).toMatchObject({ queued: 1, queueTimeout: 1 });
    c.advance(30); // t=130: the second still waits (deadline 160)
    holder.release();
    expect(granted(await later).waitedMs).toBe(70);
    expect(c.armed()).toBe(0);
  });

  test("the queue timeout fires on real timers at its setting", async () => {
    const lim = createConcurrencyLimiter({ maxConcurrent: 1, maxQueue: 1, queueTimeoutMs: 50 });
    const g = granted(lim.acquire() as LimiterResult);
    const t0 = performance.now();
    const r = await lim.acquire();
    const took = performance.now() - t0;
    expect(r).toMatchObject({ ok: false, reason: "queue_timeout" });
    expect(took).toBeGreaterThanOrEqual(48);
    expect(took).toBeLessThan(500);
    g.release();
    expect(lim.stats()).toMatchObject({ inFlight: 0, queued: 0 });
  });

  test("an aborted waiter leaves the queue at once and frees its place", async () => {
    const c = manualClock();
    const lim = createConcurrencyLimiter({ maxConcurrent: 1, maxQueue: 1, queueTimeoutMs: 1000, ...c });
    const holder = granted(lim.acquire() as LimiterResult);
    const ac = new AbortController();
    const waiting = lim.acquire(ac.signal) as Promise<LimiterResult>;
    expect(lim.acquire()).toMatchObject({ ok: false, reason: "queue_full" });
    c.advance(25);
    ac.abort();
    expect(lim.stats()).toMatchObject({ queued: 0, aborted: 1 }); // synchronously, not at the next tick
    expect(await waiting).toMatchObject({ ok: false, reason: "aborted", waitedMs: 25 });
    expect(c.armed()).toBe(0); // its timer went with it
    const next = lim.acquire() as Promise<LimiterResult>; // the place is free again
    expect(next instanceof Promise).toBe(true);
    holder.release();
    granted(await next).release();
    expect(lim.stats()).toMatchObject({ inFlight: 0, queued: 0, admitted: 2 });
  });

  test("an abort in the middle of the queue keeps the order of the others", async () => {
    const c = manualClock();
    const lim = createConcurrencyLimiter({ maxConcurrent: 1, maxQueue: 3, queueTimeoutMs: 1000, ...c });
    const holder = granted(lim.acquire() as LimiterResult);
    const order: string[] = [];
    const ac = new AbortController();
    const mk = (name: string, signal?: AbortSignal) =>
      (lim.acquire(signal) as Promise<LimiterResult>).then((r) => {
        order.push(`${name}:${r.ok ? "ok" : r.reason}`);
        if (r.ok) r.release();
      });
    const all = [mk("a"), mk("b", ac.signal), mk("c")];
    ac.abort();
    holder.release();
    await Promise.all(all);
    expect(order).toEqual(["b:aborted", "a:ok", "c:ok"]);
  });

  test("a signal aborted before acquire takes no slot", () => {
    const lim = createConcurrencyLimiter({ maxConcurrent: 1, maxQueue: 1, queueTimeoutMs: 1000 });
    expect(lim.acquire(AbortSignal.abort())).toMatchObject({ ok: false, reason: "aborted" });
    expect(lim.stats()).toMatchObject({ inFlight: 0, admitted: 0, aborted: 1 });
  });

  test("an abort after the grant changes nothing; the caller still releases", async () => {
    const lim = createConcurrencyLimiter({ maxConcurrent: 1, maxQueue: 1, queueTimeoutMs: 1000 });
    const ac = new AbortController();
    const g = granted(lim.acquire(ac.signal) as LimiterResult);
    ac.abort();
    expect(lim.stats()).toMatchObject({ inFlight: 1, aborted: 0 });
    g.release();
    expect(lim.stats().inFlight).toBe(0);
  });

  test("release is idempotent: a double release frees one slot, not two", async () => {
    const c = manualClock();
    const lim = createConcurrencyLimiter({ maxConcurrent: 1, maxQueue: 2, queueTimeoutMs: 1000, ...c });
    const a = granted(lim.acquire() as LimiterResult);
    const w1 = lim.acquire() as Promise<LimiterResult>;
    const w2 = lim.acquire() as Promise<LimiterResult>;
    a.release();
    a.release();
    await tick();
    const first = granted(await w1);
    let secondSettled = false;
    w2.then(() => {
      secondSettled = true;
    });
    await tick();
    expect(secondSettled).toBe(false); // the second release did not hand out a second slot
    expect(lim.stats()).toMatchObject({ inFlight: 1, queued: 1 });
    first.release();
    granted(await w2).release();
    expect(lim.stats()).toMatchObject({ inFlight: 0, queued: 0 });
  });

  test("two limiters are independent: one saturated, the other admits at once", () => {
    const a = createConcurrencyLimiter({ maxConcurrent: 1, maxQueue: 0, queueTimeoutMs: 1000 });
    const b = createConcurrencyLimiter({ maxConcurrent: 1, maxQueue: 0, queueTimeoutMs: 1000 });
    granted(a.acquire() as LimiterResult);
    expect(a.acquire()).toMatchObject({ ok: false, reason: "queue_full" });
    expect(b.acquire()).toMatchObject({ ok: true });
  });

  test("rejects impossible settings", () => {
    expect(() => createConcurrencyLimiter({ maxConcurrent: 0, maxQueue: 1, queueTimeoutMs: 1 })).toThrow(/maxConcurrent/);
    expect(() => createConcurrencyLimiter({ maxConcurrent: 1, maxQueue: -1, queueTimeoutMs: 1 })).toThrow(/maxQueue/);
    expect(() => createConcurrencyLimiter({ maxConcurrent: 1, maxQueue: 1, queueTimeoutMs: 0 })).toThrow(/queueTimeoutMs/);
  });

  test("under a burst of 200 callers with random holds, in-flight never exceeds the limit and all finish", async () => {
    const lim = createConcurrencyLimiter({ maxConcurrent: 4, maxQueue: 200, queueTimeoutMs: 10_000 });
    let peak = 0;
    let active = 0;
    await Promise.all(
      Array.from({ length: 200 }, async () => {
        let r = lim.acquire();
        if (r instanceof Promise) r = await r;
        const g = granted(r);
        active++;
        peak = Math.max(peak, active);
        expect(lim.stats().inFlight).toBeLessThanOrEqual(4);
        await new Promise((res) => setTimeout(res, Math.random() * 2));
        active--;
        g.release();
      }),
    );
    expect(peak).toBe(4);
    expect(lim.stats()).toMatchObject({ inFlight: 0, queued: 0, admitted: 200 });
  });
});
