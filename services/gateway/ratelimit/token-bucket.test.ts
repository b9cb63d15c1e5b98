import { describe, expect, test } from "bun:test";
import { cidrContains, parseCidrList, parseIp } from "../../../lib/http/ip-address.ts";
import { createClientIpResolver } from "./client-ip.ts";
import { parseRateLimits, rateLimitHeader, ratePolicy } from "./policies.ts";
import { createMemoryRateLimiter } from "./token-bucket.ts";

describe("memory token bucket", () => {
  test("burst, then the configured rate; refusals tell the wait in ms", () => {
    let t = 0;
    const limiter = createMemoryRateLimiter(ratePolicy("g", 10, 3), { now: () => t });
    expect([limiter.take("a"), limiter.take("a"), limiter.take("a")]).toEqual([2, 1, 0]);
    expect(limiter.take("a")).toBe(-100);
    t += 50;
    expect(limiter.take("a")).toBe(-50);
    t += 50;
    expect(limiter.take("a")).toBe(0);
    t += 10_000;
    expect(limiter.take("a")).toBe(2); // refilled to the burst, never beyond
  });

  test("memory is bounded: idle (refilled) buckets are dropped, and the count is capped", () => {
    let t = 0;
    const limiter = createMemoryRateLimiter(ratePolicy("g", 100, 10), { now: () => t, maxBuckets: 1_000 });
    for (let i = 0; i < 200_000; i++) {
      limiter.take(`subject-${i}`);
      if (i % 1000 === 0) t += 1;
    }
    expect(limiter.size()).toBeLessThanOrEqual(1_000);
    t += 60_000; // everyone is full again
    limiter.take("one-more");
    expect(limiter.size()).toBe(1);
  });
});

describe("policies", () => {
  test("parse over the defaults; units; default burst; header values", () => {
    const p = parseRateLimits("orders=600/m, inference=2/s:7");
    expect(p.orders?.ratePerSecond).toBe(10);
    expect(p.orders?.burst).toBe(10);
    expect(p.inference?.burst).toBe(7);
    expect(p.public?.burst).toBe(40);
    expect(p.inference?.policyHeader).toBe('"inference";q=7;w=4');
    expect(rateLimitHeader(p.inference as never, 3.5)).toBe('"inference";r=3;t=2');
    expect(() => parseRateLimits("orders=fast")).toThrow("orders=fast");
    expect(() => parseRateLimits("orders=0/s")).toThrow();
  });
});

describe("client IP", () => {
  test("addresses and CIDRs, IPv4, IPv6 and IPv4-mapped", () => {
    expect([...(parseIp("192.0.2.1") ?? [])]).toEqual([192, 0, 2, 1]);
    expect([...(parseIp("::ffff:192.0.2.1") ?? [])]).toEqual([192, 0, 2, 1]);
    expect(parseIp("2001:db8::1")?.length).toBe(16);
    expect(parseIp("[::1]")?.[15]).toBe(1);
    for (const bad of ["1.2.3", "256.1.1.1", "1::2::3", "x", "", "1.2.3.4.5"]) expect(parseIp(bad)).toBeUndefined();
    const [v4, v6] = parseCidrList("10.0.0.0/8, 2001:db8::/32");
    expect(cidrContains(v4 as never, parseIp("10.200.1.1") as Uint8Array)).toBe(true);
    expect(cidrContains(v4 as never, parseIp("11.0.0.1") as Uint8Array)).toBe(false);
    expect(cidrContains(v6 as never, parseIp("2001:db8:ffff::1") as Uint8Array)).toBe(true);
    expect(cidrContains(v6 as never, parseIp("2001:db9::1") as Uint8Array)).toBe(false);
    expect(() => parseCidrList("10.0.0.0/33")).toThrow();
  });

  test("X-Forwarded-For is believed only from trusted peers, walking from the nearest hop", () => {
    const resolve = createClientIpResolver(parseCidrList("10.0.0.0/8,127.0.0.1"));
    expect(resolve("203.0.113.9", "1.1.1.1")).toBe("203.0.113.9");
    expect(resolve("10.0.0.1", "1.1.1.1, 10.0.0.2")).toBe("1.1.1.1");
    expect(resolve("10.0.0.1", "6.6.6.6, 1.1.1.1, 10.0.0.2")).toBe("1.1.1.1"); // the spoofed leftmost entry is ignored
    expect(resolve("10.0.0.1", "not-an-ip, 10.0.0.2")).toBe("10.0.0.1");
    expect(resolve("127.0.0.1", null)).toBe("127.0.0.1");
    expect(createClientIpResolver([])("10.0.0.1", "1.1.1.1")).toBe("10.0.0.1");
  });
});
