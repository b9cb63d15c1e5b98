// Rate limiting through the gateway: the admitted rate matches the configuration, refusals say when to retry, XFF is not believed blindly.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { gatewayHarness, type Harness } from "../testing/harness.ts";

const RATE = 100;
const BURST = 5;

describe("per-subject token bucket through the gateway", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await gatewayHarness({ env: { RATE_LIMITS: `orders=${RATE}/s:${BURST},public=2/s:4` } });
  });
  afterAll(() => h.close());

  test("a burst at 10× the limit is admitted at the configured rate (±5%); every refusal says when to retry", async () => {
    const auth = h.bearer(await h.token({ sub: "burst-user" }));
    await h.get("/v1/orders", h.bearer(await h.token({ sub: "warm-up" }))); // verification and minting warmed elsewhere
    const statuses: number[] = [];
    const refusals: Response[] = [];
    const offeredPerTick = (RATE * 10) / 100; // 10× the rate, in 10 ms ticks
    const t0 = performance.now();
    const deadline = t0 + 2_000;
    let tick = 0;
    const pending: Promise<void>[] = [];
    while (performance.now() < deadline) {
      for (let i = 0; i < offeredPerTick; i++) {
        pending.push(
          h.get("/v1/orders", auth).then((res) => {
            statuses.push(res.status);
            if (res.status === 429) refusals.push(res);
          }),
        );
      }
      tick++;
      const next = t0 + tick * 10;
      await Bun.sleep(Math.max(0, next - performance.now()));
    }
    const elapsedS = (performance.now() - t0) / 1000;
    await Promise.all(pending);
    const admitted = statuses.filter((s) => s === 200).length;
    const offered = statuses.length;
    expect(offered).toBeGreaterThan(RATE * 5 * elapsedS); // the load really was far above the limit
    const admittedRate = (admitted - BURST) / elapsedS;
    expect(Math.abs(admittedRate - RATE) / RATE).toBeLessThanOrEqual(0.05);
    expect(admitted + refusals.length).toBe(offered);
    for (const res of refusals) {
      const retryAfter = Number(res.headers.get("retry-after"));
      expect(Number.isInteger(retryAfter) && retryAfter >= 1).toBe(true);
      expect(res.headers.get("ratelimit-policy")).toBe(`"orders";q=${BURST};w=1`);
      expect(res.headers.get("ratelimit")).toMatch(/^"orders";r=0;t=\d+$/);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
    }
    expect((await (refusals[0] as Response).json()).code).toBe("rate_limited");
  });

  test("subjects have their own buckets", async () => {
    const other = await h.get("/v1/orders", h.bearer(await h.token({ sub: "someone-else" })));
    expect(other.status).toBe(200);
  });

  test("unauthenticated pages are limited per client IP, and a spoofed X-Forwarded-For from an untrusted peer does not change the bucket", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await h.get("/openapi.json", { "x-forwarded-for": `10.0.0.${i}` }, "198.51.100.20");
      statuses.push(res.status);
    }
    expect(statuses.filter((s) => s === 200).length).toBe(4);
    expect(statuses.slice(-1)[0]).toBe(429);
    // another peer still has its own full bucket
    expect((await h.get("/openapi.json", {}, "198.51.100.21")).status).toBe(200);
  });
});

describe("behind a trusted proxy", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await gatewayHarness({ env: { RATE_LIMITS: "public=1/s:2", TRUSTED_PROXIES: "10.0.0.0/8, fd00::/8" } });
  });
  afterAll(() => h.close());

  test("X-Forwarded-For names the client when the peer is a trusted proxy", async () => {
    const viaProxy = (client: string) => h.get("/openapi.json", { "x-forwarded-for": `${client}, 10.1.2.3` }, "10.9.9.9");
    expect((await viaProxy("203.0.113.1")).status).toBe(200);
    expect((await viaProxy("203.0.113.1")).status).toBe(200);
    expect((await viaProxy("203.0.113.1")).status).toBe(429);
    expect((await viaProxy("203.0.113.2")).status).toBe(200); // a different client behind the same proxy
    // the forwarded client address reaches the service too
    await h.get("/v1/orders", { ...h.bearer(await h.token()), "x-forwarded-for": "203.0.113.5" }, "fd00::1");
    expect(h.upstream.seen.at(-1)?.headers["x-forwarded-for"]).toBe("203.0.113.5");
  });
});
