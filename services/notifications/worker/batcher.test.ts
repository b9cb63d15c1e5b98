// The micro-batcher: flushes on size or after the wait, maps results back in order, fails a whole batch together.
import { expect, test } from "bun:test";
import { createBatcher } from "./batcher.ts";

test("a full batch runs at once; a partial one after maxWaitMs; results map back to callers", async () => {
  const runs: number[][] = [];
  const b = createBatcher<number, number>({
    maxSize: 3,
    maxWaitMs: 30,
    run: async (xs) => {
      runs.push(xs);
      return xs.map((x) => x * 10);
    },
  });
  const full = await Promise.all([b.submit(1), b.submit(2), b.submit(3)]);
  expect(full).toEqual([10, 20, 30]);
  expect(runs).toEqual([[1, 2, 3]]);

  const t0 = performance.now();
  const partial = await Promise.all([b.submit(4), b.submit(5)]);
  expect(partial).toEqual([40, 50]);
  expect(performance.now() - t0).toBeGreaterThanOrEqual(25);
  expect(runs).toEqual([
    [1, 2, 3],
    [4, 5],
  ]);
});

test("flush() runs what waits now; a failed run rejects every caller of that batch only", async () => {
  let fail = true;
  const b = createBatcher<string, string>({
    maxSize: 100,
    maxWaitMs: 10_000,
    run: async (xs) => {
      if (fail) throw new Error("db down");
      return xs;
    },
  });
  const first = [b.submit("a"), b.submit("b")].map((p) => p.catch((e: Error) => e.message));
  expect(b.waiting).toBe(2);
  b.flush();
  expect(await Promise.all(first)).toEqual(["db down", "db down"]);
  fail = false;
  const second = b.submit("c");
  b.flush();
  expect(await second).toBe("c");
});

test("a run returning the wrong number of results rejects the batch", async () => {
  const b = createBatcher<number, number>({ maxSize: 2, maxWaitMs: 5, run: async () => [1] });
  const res = await Promise.allSettled([b.submit(1), b.submit(2)]);
  expect(res.map((r) => r.status)).toEqual(["rejected", "rejected"]);
});
