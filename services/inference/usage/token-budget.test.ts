// The token budget: refuses before a call when the reservation does not fit, settles to real usage, stays bounded.
import { describe, expect, test } from "bun:test";
import { tokenBudgetHeaders } from "./ratelimit-headers.ts";
import { createTokenBudget, type ReserveResult } from "./token-budget.ts";

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}
/** A budget with one group, "chat", on a manual clock. */
function chatBudget(tokensPerMinute: number) {
  const c = clock();
  return { c, budget: createTokenBudget({ policies: [{ group: "chat", tokensPerMinute }], now: c.now }) };
}
const ok = (r: ReserveResult) => {
  if (!r.ok) throw new Error(`expected a reservation, got ${r.reason}`);
  return r;
};

describe("token budget", () => {
  test("a caller over budget is refused before the call, with the exact wait", () => {
    const { c, budget } = chatBudget(6_000);
    ok(budget.reserve("alice", "chat", 5_000));
    const refused = budget.reserve("alice", "chat", 2_000);
    // 1,000 left, 1,000 missing at 100 tokens/s → 10 s.
    expect(refused).toMatchObject({ ok: false, reason: "over_budget", retryAfterSeconds: 10, state: { remaining: 1_000 } });
    c.advance(9_000);
    expect(budget.reserve("alice", "chat", 2_000).ok).toBe(false);
    c.advance(1_000);
    expect(budget.reserve("alice", "chat", 2_000).ok).toBe(true);
  });

  test("settling refunds what was reserved but not used", () => {
    const { budget } = chatBudget(1_000);
    const r = ok(budget.reserve("alice", "chat", 900)); // prompt estimate + max_tokens
    expect(budget.reserve("alice", "chat", 200).ok).toBe(false);
    budget.settle(r.reservation, 150); // the real usage
    const next = ok(budget.reserve("alice", "chat", 800));
    expect(next.state?.remaining).toBe(50);
  });

  test("usage beyond the reservation is charged: a stream cannot overshoot, the debt delays the next call", () => {
    const { c, budget } = chatBudget(600);
    const r = ok(budget.reserve("bob", "chat", 100));
    budget.settle(r.reservation, 900); // the backend ignored max_tokens
    const refused = budget.reserve("bob", "chat", 1);
    // 600 − 900 = −300; one token needs 301 tokens of refill at 10/s → 31 s.
    expect(refused).toMatchObject({ ok: false, reason: "over_budget", retryAfterSeconds: 31, state: { remaining: 0 } });
    c.advance(31_000);
    expect(budget.reserve("bob", "chat", 1).ok).toBe(true);
  });

  test("settle is idempotent", () => {
    const { budget } = chatBudget(1_000);
    const r = ok(budget.reserve("alice", "chat", 500));
    budget.settle(r.reservation, 0);
    budget.settle(r.reservation, 0); // a second refund would lift the bucket past its size… or hand out 500 more
    ok(budget.reserve("alice", "chat", 1_000));
    expect(budget.reserve("alice", "chat", 1).ok).toBe(false);
  });

  test("concurrent reservations of one caller add up: a burst of streams cannot share one budget twice", () => {
    const { budget } = chatBudget(1_000);
    const results = Array.from({ length: 5 }, () => budget.reserve("alice", "chat", 300));
    expect(results.map((r) => r.ok)).toEqual([true, true, true, false, false]);
  });

  test("callers and groups are separate; a group without a policy is unlimited", () => {
    const c = clock();
    const budget = createTokenBudget({
      policies: [
        { group: "chat", tokensPerMinute: 100 },
        { group: "embed", tokensPerMinute: 100 },
      ],
      now: c.now,
    });
    ok(budget.reserve("alice", "chat", 100));
    expect(budget.reserve("alice", "chat", 1).ok).toBe(false);
    ok(budget.reserve("bob", "chat", 100));
    ok(budget.reserve("alice", "embed", 100));
    const free = ok(budget.reserve("alice", "other", 1e9));
    expect(free.state).toBeUndefined();
    budget.settle(free.reservation, 5); // harmless
  });

  test("a request larger than a minute's budget is refused as exceeds_limit (waiting would not help)", () => {
    const budget = createTokenBudget({ policies: [{ group: "chat", tokensPerMinute: 100 }] });
    expect(budget.reserve("alice", "chat", 101)).toMatchObject({ ok: false, reason: "exceeds_limit" });
  });

  test("idle callers are evicted; callers with a reservation in flight are kept", () => {
    const c = clock();
    const budget = createTokenBudget({ policies: [{ group: "chat", tokensPerMinute: 60 }], maxBuckets: 10, now: c.now });
    const held = ok(budget.reserve("streaming", "chat", 60));
    for (let i = 0; i < 9; i++) budget.settle(ok(budget.reserve(`u${i}`, "chat", 1)).reservation, 1);
    expect(budget.size()).toBe(10);
    c.advance(2_000); // everyone but "streaming" has refilled
    ok(budget.reserve("newcomer", "chat", 1));
    expect(budget.size()).toBe(2);
    budget.settle(held.reservation, 60);
    // Its settlement landed on the kept bucket: still empty.
    expect(budget.reserve("streaming", "chat", 10).ok).toBe(false);
    for (let i = 0; i < 100; i++) {
      const r = budget.reserve(`flood${i}`, "chat", 1);
      if (r.ok) budget.settle(r.reservation, 1);
    }
    expect(budget.size()).toBeLessThanOrEqual(10);
  });

  test("rejects bad policies", () => {
    expect(() => createTokenBudget({ policies: [{ group: "Chat Group", tokensPerMinute: 1 }] })).toThrow(/must match/);
    expect(() => createTokenBudget({ policies: [{ group: "chat", tokensPerMinute: 0 }] })).toThrow(/positive/);
  });
});

describe("RateLimit headers for a token budget", () => {
  test("a refusal carries Retry-After, RateLimit-Policy and RateLimit in the draft's structured syntax", () => {
    const { budget } = chatBudget(6_000);
    ok(budget.reserve("alice", "chat", 5_500));
    const r = budget.reserve("alice", "chat", 1_000);
    if (r.ok) throw new Error("expected a refusal");
    expect(tokenBudgetHeaders(r.state, r.retryAfterSeconds)).toEqual({
      "ratelimit-policy": '"chat-tokens";q=6000;w=60',
      ratelimit: '"chat-tokens";r=500;t=55',
      "retry-after": "5",
    });
  });

  test("an admitted call gets the state without Retry-After", () => {
    const budget = createTokenBudget({ policies: [{ group: "embed", tokensPerMinute: 1_000 }] });
    const r = ok(budget.reserve("alice", "embed", 250));
    expect(tokenBudgetHeaders(r.state ?? (undefined as never))).toEqual({
      "ratelimit-policy": '"embed-tokens";q=1000;w=60',
      ratelimit: '"embed-tokens";r=750;t=15',
    });
  });
});
