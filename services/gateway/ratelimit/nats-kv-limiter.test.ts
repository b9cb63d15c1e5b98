// The shared NATS KV token bucket against a real NATS server (TEST_NATS_URL, JetStream on): two replicas share one budget.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import { silentLogger } from "../../../lib/logging/logger.ts";
import { createNatsKvRateLimiter, rateLimitBucketOptions } from "./nats-kv-limiter.ts";
import { ratePolicy } from "./policies.ts";
import { createMemoryRateLimiter } from "./token-bucket.ts";

const NATS_URL = process.env.TEST_NATS_URL || "nats://127.0.0.1:4222";
const bucket = `gateway_rl_test_${crypto.randomUUID().slice(0, 8)}`;
let nc: NatsConnection;
let kvm: Kvm;

beforeAll(async () => {
  nc = await connect({ servers: NATS_URL, timeout: 3_000 });
  kvm = new Kvm(nc);
});
afterAll(async () => {
  await (await kvm.open(bucket)).destroy().catch(() => {});
  await nc?.drain();
});

describe("NATS KV rate limiter [nats]", () => {
  test("two replicas share one bucket: the burst is admitted once in total", async () => {
    const policy = ratePolicy("orders", 1, 10); // 10 at once, then 1/s
    const kv = await kvm.create(bucket, rateLimitBucketOptions([policy]));
    const replica = () => createNatsKvRateLimiter(policy, { kv, fallback: createMemoryRateLimiter(policy), log: silentLogger });
    const [a, b] = [replica(), replica()];
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? a : b).take("alice/ü")));
    const admitted = results.filter((r) => r >= 0).length;
    expect(admitted).toBeGreaterThanOrEqual(10);
    expect(admitted).toBeLessThanOrEqual(11); // 10 + at most one refilled during the run
    const refused = results.filter((r) => r < 0);
    expect(refused.every((r) => r <= -1 && r >= -1000)).toBe(true);
    // another subject has its own bucket
    expect(await a.take("bob")).toBe(9);
  });

  test("when NATS fails, the replica's own bucket answers", async () => {
    const policy = ratePolicy("orders", 1, 2);
    const broken = { get: () => Promise.reject(new Error("connection closed")) } as unknown as Parameters<typeof createNatsKvRateLimiter>[1]["kv"];
    // A stopped clock: a real one refills a fraction of a token between the takes (0.000999 instead of 0 was seen).
    const limiter = createNatsKvRateLimiter(policy, {
      kv: broken,
      fallback: createMemoryRateLimiter(policy, { now: () => 0 }),
      log: silentLogger,
      now: () => 0,
    });
    expect(await limiter.take("x")).toBe(1);
    expect(await limiter.take("x")).toBe(0);
    expect(await limiter.take("x")).toBeLessThan(0);
  });
});
