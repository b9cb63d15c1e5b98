// JWKS caching: unknown kids cannot make the gateway hammer the issuer; rotated keys work after one refetch; removed keys stop.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { JWK } from "jose";
import { silentLogger } from "../../../lib/logging/logger.ts";
import { generateDevIssuerKeys } from "../dev-issuer/issuer.ts";
import { gatewayHarness, type Harness } from "../testing/harness.ts";
import { createJwksCache } from "./jwks-cache.ts";

const COOLDOWN_MS = 250;
const MAX_AGE_MS = 900;
let h: Harness;
beforeAll(async () => {
  h = await gatewayHarness({ env: { JWKS_COOLDOWN_MS: String(COOLDOWN_MS), JWKS_CACHE_MAX_AGE_MS: String(MAX_AGE_MS) } });
});
afterAll(() => h.close());

/** A well-formed token whose header names `kid`: the kid lookup happens before any signature check. */
const withKid = (token: string, kid: string) => {
  const [, payload, sig] = token.split(".");
  return `${Buffer.from(JSON.stringify({ alg: "RS256", kid })).toString("base64url")}.${payload}.${sig}`;
};

describe("JWKS fetching through the gateway", () => {
  test("10,000 requests with random unknown kids: at most one JWKS fetch per cooldown", async () => {
    const base = await h.token();
    expect((await h.get("/v1/orders", h.bearer(base))).status).toBe(200); // loads the set
    await Bun.sleep(COOLDOWN_MS + 10); // so the storm may (and must) trigger a refetch right away
    const before = h.jwks.fetches();
    const t0 = performance.now();
    let refused = 0;
    for (let batch = 0; batch < 20; batch++) {
      const results = await Promise.all(Array.from({ length: 500 }, () => h.get("/v1/orders", h.bearer(withKid(base, crypto.randomUUID())))));
      refused += results.filter((r) => r.status === 401).length;
    }
    const elapsed = performance.now() - t0;
    expect(refused).toBe(10_000);
    const fetched = h.jwks.fetches() - before;
    expect(fetched).toBeGreaterThanOrEqual(1); // unknown kids do trigger a refetch (key rotation must work)
    expect(fetched).toBeLessThanOrEqual(Math.floor(elapsed / COOLDOWN_MS) + 1);
    expect(h.upstream.seen.filter((r) => r.url.endsWith("/v1/orders"))).toHaveLength(1);
  }, 30_000);

  test("a key rotated in is accepted after exactly one refetch", async () => {
    const next = await generateDevIssuerKeys("k2");
    h.jwks.publish([...(h.signing.jwks.keys as JWK[]), ...(next.jwks.keys as JWK[])]);
    await Bun.sleep(COOLDOWN_MS + 20);
    const before = h.jwks.fetches();
    const res = await h.get("/v1/orders", h.bearer(await h.token({}, {}, next)));
    expect(res.status).toBe(200);
    expect(h.jwks.fetches() - before).toBe(1);
    expect((await h.get("/v1/orders", h.bearer(await h.token({}, {}, next)))).status).toBe(200);
    expect(h.jwks.fetches() - before).toBe(1);
  });

  test("a removed key is rejected once the cached set expires (verified tokens included)", async () => {
    const old = await h.token();
    expect((await h.get("/v1/orders", h.bearer(old))).status).toBe(200);
    const next = await generateDevIssuerKeys("k3");
    h.jwks.publish(next.jwks.keys as JWK[]);
    await Bun.sleep(MAX_AGE_MS + 50);
    const res = await h.get("/v1/orders", h.bearer(old));
    expect(res.status).toBe(401);
    expect((await h.get("/v1/orders", h.bearer(await h.token({}, {}, next)))).status).toBe(200);
  });
});

describe("JWKS cache (clock controlled)", () => {
  const keysOf = async (kid: string) => (await generateDevIssuerKeys(kid)).jwks;

  test("unknown kids: one fetch per cooldown period, also when the issuer fails", async () => {
    let t = 0;
    let fetches = 0;
    let fail = false;
    const jwks = await keysOf("a");
    const cache = createJwksCache({
      url: "http://issuer.test/jwks",
      fetch: async () => {
        fetches++;
        return fail ? new Response("down", { status: 500 }) : Response.json(jwks);
      },
      maxAgeMs: 600_000,
      cooldownMs: 30_000,
      timeoutMs: 1_000,
      log: silentLogger,
      now: () => t,
    });
    await cache.ensureLoaded();
    expect(fetches).toBe(1);
    for (let period = 0; period < 10; period++) {
      fail = period % 2 === 1;
      for (let i = 0; i < 1_000; i++) {
        t += 30; // 1,000 × 30 ms = one cooldown period per outer round
        await cache.getKey({ alg: "RS256", kid: crypto.randomUUID() }, {} as never).catch(() => {});
      }
    }
    expect(fetches).toBeLessThanOrEqual(11);
    expect(fetches).toBeGreaterThanOrEqual(10);
    expect(cache.stats().failures).toBe(5);
  });

  test("an unreachable issuer with nothing cached: KeysUnavailableError (→ 503), not a token verdict", async () => {
    const cache = createJwksCache({
      url: "http://issuer.test/jwks",
      fetch: () => Promise.reject(new Error("connection refused")),
      maxAgeMs: 1_000,
      cooldownMs: 1_000,
      timeoutMs: 100,
      log: silentLogger,
    });
    expect(cache.getKey({ alg: "RS256", kid: "a" }, {} as never)).rejects.toThrow("could not be fetched");
  });
});
