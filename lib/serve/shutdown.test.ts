import { expect, test } from "bun:test";
import { createHealth } from "../health/health.ts";
import { silentLogger } from "../logging/logger.ts";
import type { Listener } from "./listen.ts";
import { createShutdown, type Interrupter, interruptAtMs } from "./shutdown.ts";

function fakeListener(stopTakesMs = 0) {
  const calls: string[] = [];
  const listener: Listener = {
    port: 0,
    drain: () => void calls.push("drain"),
    stop: async (force) => {
      calls.push(force ? "force-stop" : "stop");
      await Bun.sleep(stopTakesMs);
    },
  };
  return { listener, calls };
}

test("the sequence: drain flag, drain delay, listener stop, closers in order, exit 0 — once, however often signalled", async () => {
  const health = createHealth();
  const { listener, calls } = fakeListener();
  const exits: number[] = [];
  const shutdown = createShutdown({
    listeners: [listener],
    healths: [health],
    log: silentLogger,
    drainDelayMs: 100,
    graceMs: 2_000,
    closers: [
      { name: "consumer", close: async () => void calls.push("consumer") },
      { name: "db", close: async () => void calls.push("db") },
    ],
    exit: (c) => void exits.push(c),
  });
  const t0 = performance.now();
  const first = shutdown("SIGTERM");
  void shutdown("SIGINT");
  await Bun.sleep(20);
  expect(health.draining).toBe(true);
  expect(calls).toEqual(["drain"]); // still in the drain delay
  expect(await first).toBe(0);
  expect(performance.now() - t0).toBeGreaterThanOrEqual(95);
  expect(calls).toEqual(["drain", "stop", "consumer", "db"]);
  expect(exits).toEqual([0]);
});

test("a closer that fails still lets the others run, and the exit code says so", async () => {
  const { listener, calls } = fakeListener();
  const exits: number[] = [];
  const code = await createShutdown({
    listeners: [listener],
    healths: [],
    log: silentLogger,
    drainDelayMs: 0,
    graceMs: 1_000,
    closers: [
      { name: "broken", close: () => Promise.reject(new Error("boom")) },
      { name: "db", close: async () => void calls.push("db") },
    ],
    exit: (c) => void exits.push(c),
  })("SIGTERM");
  expect(code).toBe(1);
  expect(calls).toEqual(["drain", "stop", "db"]);
});

test("past the grace period the listener is force-stopped and the exit code is 1", async () => {
  const { listener, calls } = fakeListener(5_000);
  const exits: number[] = [];
  const t0 = performance.now();
  const code = await createShutdown({ listeners: [listener], healths: [], log: silentLogger, drainDelayMs: 0, graceMs: 200, exit: (c) => void exits.push(c) })(
    "SIGTERM",
  );
  expect(code).toBe(1);
  expect(performance.now() - t0).toBeLessThan(1_000);
  expect(calls).toEqual(["drain", "stop", "force-stop"]);
});

/** No drain delay, no health, no exit: only the listener, the grace period and the interrupters. */
const quietShutdown = (listener: Listener, graceMs: number, interrupters: Interrupter[]) =>
  createShutdown({ listeners: [listener], healths: [], log: silentLogger, drainDelayMs: 0, graceMs, interrupters, exit: () => {} });

test("interrupters end what is still open at grace − min(2 s, grace / 5), so the listener stops before the forced exit", async () => {
  // The listener's stop waits for its open request, which ends when interrupted.
  let endOpen: () => void = () => {};
  const open = new Promise<void>((r) => (endOpen = r));
  const calls: string[] = [];
  const listener: Listener = {
    port: 0,
    drain: () => void calls.push("drain"),
    stop: async () => {
      await open;
      calls.push("stop");
    },
  };
  const t0 = performance.now();
  let interruptedAt = 0;
  const code = await quietShutdown(listener, 1_000, [
    {
      name: "streams",
      interrupt: () => {
        interruptedAt = performance.now() - t0;
        endOpen();
        return 1;
      },
    },
  ])("SIGTERM");
  expect(interruptAtMs(1_000)).toBe(800);
  expect(interruptAtMs(25_000)).toBe(23_000);
  expect(interruptedAt).toBeGreaterThanOrEqual(790);
  expect(interruptedAt).toBeLessThan(1_000);
  expect(code).toBe(0);
  expect(calls).toEqual(["drain", "stop"]);
});

test("interrupters do not run when everything ended in time", async () => {
  const { listener } = fakeListener(10);
  let interrupted = 0;
  const code = await quietShutdown(listener, 300, [{ name: "streams", interrupt: () => ++interrupted }])("SIGTERM");
  await Bun.sleep(350);
  expect(code).toBe(0);
  expect(interrupted).toBe(0);
});
