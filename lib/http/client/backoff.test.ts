import { describe, expect, test } from "bun:test";
import { backoffDelayMs, isIdempotent } from "./backoff.ts";

describe("backoff", () => {
  test("ceiling doubles per attempt and is capped; jitter spans [0, ceiling)", () => {
    const top = (attempt: number) => backoffDelayMs(attempt, { baseMs: 50, capMs: 300, random: () => 0.999999 });
    expect([0, 1, 2, 3, 10, 100].map(top)).toEqual([49, 99, 199, 299, 299, 299]);
    expect(backoffDelayMs(3, { random: () => 0 })).toBe(0);
    const samples = Array.from({ length: 2000 }, () => backoffDelayMs(2, { baseMs: 100, capMs: 10_000 }));
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...samples)).toBeLessThan(400);
    expect(new Set(samples).size).toBeGreaterThan(100);
  });

  test("only RFC 9110 idempotent methods are retryable", () => {
    for (const m of ["GET", "HEAD", "OPTIONS", "PUT", "DELETE"]) expect(isIdempotent(m)).toBe(true);
    for (const m of ["POST", "PATCH", "CONNECT", "get"]) expect(isIdempotent(m)).toBe(false);
  });
});
