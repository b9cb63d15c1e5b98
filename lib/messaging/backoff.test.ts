import { expect, test } from "bun:test";
import { backoffDelay } from "./backoff.ts";

test("backoff doubles per attempt, stays within [half, full] and is capped", () => {
  const p = { baseMs: 100, maxMs: 1_000 };
  expect(backoffDelay(1, p, () => 0)).toBe(50);
  expect(backoffDelay(1, p, () => 1)).toBe(100);
  expect(backoffDelay(3, p, () => 1)).toBe(400);
  expect(backoffDelay(10, p, () => 1)).toBe(1_000);
  expect(backoffDelay(10, p, () => 0)).toBe(500);
  expect(backoffDelay(1_000, p, () => 1)).toBe(1_000);
});
