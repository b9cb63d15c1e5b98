// HTTP clients of the services under test: order placement with Idempotency-Key retries and pacing, and the notifications admin API.
import type { InternalTokenMinter } from "../../lib/auth/internal-token.ts";
import { sampleOrder } from "../../services/orders/testing/fixture.ts";

export interface PlacedOrder {
  orderId: string;
  customerId: string;
  /** Requests it took (the retries reused the Idempotency-Key). */
  attempts: number;
}

/** Internal tokens per (audience, subject, scopes), re-minted well before their 60 s run out. */
function tokenCache(mint: InternalTokenMinter, audience: string, scopes: string[]) {
  const tokens = new Map<string, { token: Promise<string>; at: number }>();
  return (subject: string) => {
    const hit = tokens.get(subject);
    if (hit && Date.now() - hit.at < 20_000) return hit.token;
    const token = mint({ audience, subject, scopes, ttlSeconds: 60 });
    tokens.set(subject, { token, at: Date.now() });
    return token;
  };
}

const retryable = (status: number) => status >= 500 || status === 409 || status === 429;

export function ordersClient(url: string | (() => string), mint: InternalTokenMinter, opts: { deadlineMs?: number } = {}) {
  const base = typeof url === "function" ? url : () => url;
  const token = tokenCache(mint, "orders", ["orders:read", "orders:write"]);

  /** POST /v1/orders until it answers 201, retrying network errors, 5xx and 409 with the SAME key (bounded by the deadline). */
  async function placeOrder(customerId: string, key: string = crypto.randomUUID()): Promise<PlacedOrder> {
    const deadline = Date.now() + (opts.deadlineMs ?? 20_000);
    let last = "";
    for (let attempts = 1; ; attempts++) {
      let answer: { status: number; body: string } | undefined;
      try {
        const res = await fetch(`${base()}/v1/orders`, {
          method: "POST",
          headers: { authorization: `Bearer ${await token(customerId)}`, "content-type": "application/json", "idempotency-key": key },
          body: JSON.stringify(sampleOrder()),
          signal: AbortSignal.timeout(5_000),
        });
        answer = { status: res.status, body: await res.text() };
      } catch (err) {
        last = err instanceof Error ? err.message : String(err); // connection refused or reset, timeout: the service may be restarting
      }
      if (answer?.status === 201) return { orderId: (JSON.parse(answer.body) as { id: string }).id, customerId, attempts };
      if (answer && !retryable(answer.status)) throw new Error(`POST /v1/orders answered ${answer.status}: ${answer.body}`);
      if (answer) last = `${answer.status} ${answer.body.slice(0, 200)}`;
      if (Date.now() > deadline) throw new Error(`POST /v1/orders (key ${key}) not placed after ${attempts} attempts: ${last}`);
      await Bun.sleep(25 + Math.random() * 50);
    }
  }

  /**
   * Places `n` orders with `concurrency` requests at most in flight; with `perSecond`, request i starts no earlier than
   * i / perSecond seconds after the first (a fixed schedule). `customer(i)` names the caller of order i.
   */
  async function placeOrders(
    n: number,
    o: { concurrency?: number; perSecond?: number; customer?: (i: number) => string; stop?: () => boolean } = {},
  ): Promise<PlacedOrder[]> {
    const out: PlacedOrder[] = [];
    const t0 = performance.now();
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < n && !o.stop?.(); i = next++) {
        if (o.perSecond) {
          const wait = t0 + (i * 1000) / o.perSecond - performance.now();
          if (wait > 0) await Bun.sleep(wait);
        }
        out.push(await placeOrder(o.customer?.(i) ?? `customer-${i % 7}`));
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(o.concurrency ?? 8, n)) }, worker));
    return out;
  }

  return { placeOrder, placeOrders };
}

export interface DeadLetterSummary {
  seq: number;
  subject: string;
  eventId: string | null;
  messageId: string | null;
  error: string;
  attempts: number;
}

export function notificationsAdminClient(url: string, mint: InternalTokenMinter) {
  const token = tokenCache(mint, "notifications", ["notifications:read", "notifications:admin"]);
  const call = async (method: string, path: string) =>
    fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${await token("pipeline-admin")}` }, signal: AbortSignal.timeout(10_000) });
  return {
    /** Every dead letter of the notifications consumer (follows the cursor). */
    async deadLetters(): Promise<DeadLetterSummary[]> {
      const all: DeadLetterSummary[] = [];
      for (let cursor: string | null = ""; cursor !== null; ) {
        const res = await call("GET", `/v1/notifications/dead-letters?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
        if (res.status !== 200) throw new Error(`GET dead-letters answered ${res.status}: ${await res.text()}`);
        const page = (await res.json()) as { items: DeadLetterSummary[]; nextCursor: string | null };
        all.push(...page.items);
        cursor = page.nextCursor;
      }
      return all;
    },
    replay: (seq: number) => call("POST", `/v1/notifications/dead-letters/${seq}/replay`),
  };
}
