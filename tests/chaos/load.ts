// The chaos suite's client: orders through nginx at a steady rate, retried under the same Idempotency-Key, some keys replayed on purpose.
import type { InternalTokenMinter } from "../../lib/auth/internal-token.ts";
import { sampleOrder } from "../../services/orders/testing/fixture.ts";

export interface LoadResult {
  /** Key → the 201 body (the order), for every order the client saw created. */
  created: Map<string, string>;
  /** Keys whose replay (same key and body, after the 201) answered differently. */
  changedReplays: string[];
  replays: number;
  /** Requests that never got their 201 within the deadline: key and the last answer. */
  failed: { key: string; last: string }[];
  /** Every non-201 answer on the way (retried), by status or error: "504", "network", … */
  retriedAnswers: Map<string, number>;
}

const RETRYABLE = (status: number) => status >= 500 || status === 409 || status === 429;
const REPLAY_SHARE = 0.1;

export function startLoad(url: string, mint: InternalTokenMinter, perSecond: number, deadlineMs = 40_000) {
  const result: LoadResult = { created: new Map(), changedReplays: [], replays: 0, failed: [], retriedAnswers: new Map() };
  const tokens = new Map<string, Promise<string>>();
  let tokenAt = 0;
  const token = (sub: string) => {
    if (Date.now() - tokenAt > 20_000) {
      tokens.clear();
      tokenAt = Date.now();
    }
    const hit = tokens.get(sub);
    if (hit) return hit;
    const t = mint({ audience: "orders", subject: sub, scopes: ["orders:read", "orders:write"], ttlSeconds: 60 });
    tokens.set(sub, t);
    return t;
  };
  const post = async (key: string, customer: string, body: string) => {
    const res = await fetch(`${url}/v1/orders`, {
      method: "POST",
      headers: { authorization: `Bearer ${await token(customer)}`, "content-type": "application/json", "idempotency-key": key },
      body,
      signal: AbortSignal.timeout(8_000),
    });
    return { status: res.status, text: await res.text() };
  };
  const note = (what: string) => result.retriedAnswers.set(what, (result.retriedAnswers.get(what) ?? 0) + 1);

  const one = async (i: number) => {
    const key = crypto.randomUUID();
    const customer = `customer-${i % 5}`;
    const body = JSON.stringify(sampleOrder());
    const deadline = Date.now() + deadlineMs;
    let last = "";
    for (;;) {
      try {
        const r = await post(key, customer, body);
        if (r.status === 201) {
          result.created.set(key, r.text);
          break;
        }
        last = `${r.status} ${r.text.slice(0, 100)}`;
        note(String(r.status));
        if (!RETRYABLE(r.status)) return void result.failed.push({ key, last });
      } catch (err) {
        last = `network: ${err instanceof Error ? err.message : String(err)}`;
        note("network");
      }
      if (Date.now() > deadline) return void result.failed.push({ key, last });
      await Bun.sleep(100 + Math.random() * 200);
    }
    if (Math.random() < REPLAY_SHARE) {
      // The same request again, as a client that lost the answer would: it must come back byte for byte.
      for (let tries = 0; tries < 20; tries++) {
        try {
          const r = await post(key, customer, body);
          if (RETRYABLE(r.status)) continue;
          result.replays++;
          if (r.status !== 201 || r.text !== result.created.get(key)) result.changedReplays.push(key);
          return;
        } catch {
          await Bun.sleep(200);
        }
      }
    }
  };

  let running = true;
  const inFlight = new Set<Promise<void>>();
  const pump = (async () => {
    const t0 = performance.now();
    for (let i = 0; running; i++) {
      const wait = t0 + (i * 1000) / perSecond - performance.now();
      if (wait > 0) await Bun.sleep(wait);
      const job = one(i).finally(() => inFlight.delete(job));
      inFlight.add(job);
    }
  })();
  return {
    result,
    /** Stops issuing new orders and waits for every one in flight to finish (its retries included). */
    async stop(): Promise<LoadResult> {
      running = false;
      await pump;
      await Promise.all([...inFlight]);
      return result;
    },
  };
}
