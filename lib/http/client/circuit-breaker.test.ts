import { describe, expect, test } from "bun:test";
import { CALL, type CircuitState, createCircuitBreaker, PROBE, REJECTED } from "./circuit-breaker.ts";

function breaker(extra: Parameters<typeof createCircuitBreaker>[0] extends infer O ? Partial<O> : never = {}) {
  let t = 1_000;
  const changes: string[] = [];
  const b = createCircuitBreaker({
    name: "up",
    failureThreshold: 3,
    openMs: 100,
    maxOpenMs: 400,
    now: () => t,
    onStateChange: ({ from, to }) => changes.push(`${from}>${to}`),
    ...extra,
  });
  const call = (outcome: "success" | "failure") => {
    const p = b.acquire();
    if (p !== REJECTED) b.release(p, outcome);
    return p;
  };
  return { b, call, changes, advance: (ms: number) => (t += ms) };
}

describe("circuit breaker", () => {
  test("opens after consecutive failures and rejects without calling", () => {
    const { b, call, changes } = breaker();
    call("failure");
    call("failure");
    expect(b.state()).toBe("closed");
    call("failure");
    expect(b.state()).toBe("open");
    expect(b.acquire()).toBe(REJECTED);
    expect(b.retryAfterMs()).toBe(100);
    expect(changes).toEqual(["closed>open"]);
    expect(b.snapshot().rejected).toBe(1);
  });

  test("a success resets the consecutive count", () => {
    const { b, call } = breaker();
    call("failure");
    call("failure");
    call("success");
    call("failure");
    call("failure");
    expect(b.state()).toBe("closed");
  });

  test("opens on the failure rate once enough calls were seen", () => {
    const { b, call } = breaker({ failureThreshold: 100, windowSize: 10, minimumCalls: 10, failureRateThreshold: 0.5 });
    for (let i = 0; i < 9; i++) call(i % 2 === 0 ? "success" : "failure"); // 4 failures of 9
    expect(b.state()).toBe("closed");
    call("failure"); // 5 of 10
    expect(b.state()).toBe("open");
  });

  test("half-open lets one probe through; success closes", () => {
    const { b, call, advance, changes } = breaker();
    for (let i = 0; i < 3; i++) call("failure");
    advance(100);
    expect(b.state()).toBe("half_open");
    const probe = b.acquire();
    expect(probe).toBe(PROBE);
    expect(b.acquire()).toBe(REJECTED); // the only probe slot is taken
    b.release(probe, "success");
    expect(b.state()).toBe("closed");
    expect(b.acquire()).toBe(CALL);
    expect(changes).toEqual(["closed>open", "open>half_open", "half_open>closed"]);
  });

  test("a failed probe reopens for twice as long, capped", () => {
    const { b, call, advance } = breaker();
    for (let i = 0; i < 3; i++) call("failure");
    const seen: number[] = [];
    for (let i = 0; i < 4; i++) {
      advance(b.retryAfterMs());
      b.release(b.acquire(), "failure");
      seen.push(b.retryAfterMs());
    }
    expect(seen).toEqual([200, 400, 400, 400]);
    advance(400);
    b.release(b.acquire(), "success");
    expect(b.state()).toBe("closed");
    // after closing, the next opening starts from the base pause again
    for (let i = 0; i < 3; i++) call("failure");
    expect(b.retryAfterMs()).toBe(100);
  });

  test("outcomes of calls started before opening, and ignored outcomes, change nothing", () => {
    const { b, call } = breaker();
    const late = b.acquire();
    for (let i = 0; i < 3; i++) call("failure");
    b.release(late, "success");
    expect(b.state()).toBe("open" satisfies CircuitState);
    const fresh = breaker();
    for (let i = 0; i < 5; i++) fresh.b.release(fresh.b.acquire(), "ignore");
    expect(fresh.b.snapshot().failureRate).toBe(0);
  });
});
