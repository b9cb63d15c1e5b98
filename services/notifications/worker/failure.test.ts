// Failure classification (permanent vs transient) and the retry / dead-letter decision with exponential backoff.
import { expect, test } from "bun:test";
import { ChannelError } from "../channels/channel.ts";
import { classify, decide, PermanentFailure } from "./failure.ts";

const policy = { baseMs: 100, maxMs: 1_000 };
const pgError = (code: string) => Object.assign(new Error(`pg ${code}`), { code });

test("channel errors keep their kind; invalid data and values the database rejects are permanent; the rest transient", () => {
  expect(classify(new ChannelError("webhook answered 404", { permanent: true }))).toEqual({
    permanent: true,
    error: "webhook answered 404",
    retryAfterMs: undefined,
  });
  expect(classify(new ChannelError("webhook answered 503", { permanent: false, retryAfterMs: 2_000 }))).toMatchObject({
    permanent: false,
    retryAfterMs: 2_000,
  });
  expect(classify(new PermanentFailure("bad")).permanent).toBe(true);
  expect(classify(pgError("22P05"))).toMatchObject({ permanent: true, error: expect.stringContaining("22P05") }); // untranslatable character
  expect(classify(pgError("23505")).permanent).toBe(true);
  for (const transient of [
    pgError("57014"),
    pgError("08006"),
    pgError("40001"),
    pgError("53300"),
    Object.assign(new Error("x"), { code: "ECONNREFUSED" }),
    new Error("boom"),
    "text",
  ]) {
    expect(classify(transient).permanent).toBe(false);
  }
});

test("permanent → dead letter at once, whatever the delivery count", () => {
  expect(decide({ permanent: true, error: "x" }, 1, 5, policy)).toEqual({ action: "dead-letter", reason: "permanent failure" });
});

test("transient → nak with a delay that grows per delivery (jitter within [half, full]) and is capped", () => {
  const f = { permanent: false, error: "503" };
  const delays = [1, 2, 3, 4].map((n) => decide(f, n, 10, policy, () => 1));
  expect(delays).toEqual([100, 200, 400, 800].map((delayMs) => ({ action: "retry", delayMs })));
  expect(decide(f, 8, 10, policy, () => 1)).toEqual({ action: "retry", delayMs: 1_000 });
  expect(decide(f, 2, 10, policy, () => 0)).toEqual({ action: "retry", delayMs: 100 });
  // the smallest delay of attempt n+1 is never below the largest of attempt n
  for (let n = 1; n < 4; n++) {
    const hi = decide(f, n, 10, policy, () => 1) as { delayMs: number };
    const lo = decide(f, n + 1, 10, policy, () => 0) as { delayMs: number };
    expect(lo.delayMs).toBeGreaterThanOrEqual(hi.delayMs);
  }
});

test("Retry-After raises the delay, never beyond the cap", () => {
  expect(decide({ permanent: false, error: "429", retryAfterMs: 700 }, 1, 5, policy, () => 1)).toEqual({ action: "retry", delayMs: 700 });
  expect(decide({ permanent: false, error: "429", retryAfterMs: 60_000 }, 1, 5, policy, () => 1)).toEqual({ action: "retry", delayMs: 1_000 });
});

test("transient on the last allowed delivery → dead letter", () => {
  expect(decide({ permanent: false, error: "503" }, 5, 5, policy)).toMatchObject({
    action: "dead-letter",
    reason: expect.stringContaining("last allowed delivery (5 of 5)"),
  });
  expect(decide({ permanent: false, error: "503" }, 1, 1, policy).action).toBe("dead-letter");
});
