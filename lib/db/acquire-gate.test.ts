// The pool's acquire gate on its own: places, first come first served, the bounded wait, and release once.
import { expect, test } from "bun:test";
import { createAcquireGate } from "./acquire-gate.ts";

test("grants at once while places are free, then queues in arrival order; a released place goes to the oldest waiter", () => {
  const gate = createAcquireGate(2, 0);
  const releases: (() => void)[] = [];
  const granted: number[] = [];
  for (const i of [1, 2, 3, 4])
    gate.acquire(
      (release) => {
        granted.push(i);
        releases.push(release);
      },
      () => granted.push(-i),
    );
  expect(granted).toEqual([1, 2]);
  expect([gate.inUse(), gate.waiting()]).toEqual([2, 2]);
  releases[1]?.();
  releases[1]?.(); // a second call gives nothing back
  expect(granted).toEqual([1, 2, 3]);
  expect([gate.inUse(), gate.waiting()]).toEqual([2, 1]);
  releases[0]?.();
  expect(granted).toEqual([1, 2, 3, 4]);
  for (const r of releases) r();
  expect([gate.inUse(), gate.waiting()]).toEqual([0, 0]);
});

test("a waiter that gets no place within the wait is refused, and never granted later", async () => {
  const gate = createAcquireGate(1, 50);
  let release = () => {};
  gate.acquire(
    (r) => {
      release = r;
    },
    () => {},
  );
  const outcome: string[] = [];
  const t0 = performance.now();
  await new Promise<void>((done) =>
    gate.acquire(
      () => {
        outcome.push("granted");
        done();
      },
      () => {
        outcome.push("refused");
        done();
      },
    ),
  );
  expect(outcome).toEqual(["refused"]);
  expect(performance.now() - t0).toBeGreaterThanOrEqual(45);
  expect(gate.waiting()).toBe(0);
  release();
  expect(outcome).toEqual(["refused"]);
  expect(gate.inUse()).toBe(0);
});
