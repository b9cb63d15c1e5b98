import { describe, expect, test } from "bun:test";
import { ConfigError, parseEnv } from "../../lib/config/env.ts";
import { gatewayEnv, tokenIdentity } from "./config.ts";
import { DEV_AUDIENCE, DEV_ISSUER_ID } from "./dev-issuer/issuer.ts";

const jwk = JSON.stringify({ kty: "OKP", crv: "Ed25519", kid: "k", x: "x", d: "d" });
const prod = { JWKS_URL: "https://id.example.com/jwks", JWT_ISSUER: "https://id.example.com/", JWT_AUDIENCE: "api", INTERNAL_AUTH_PRIVATE_JWK: jwk };

function problems(env: Record<string, string>): string[] {
  try {
    parseEnv("gateway", gatewayEnv, env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  return [];
}

describe("gateway config", () => {
  test("production issuer: defaults", () => {
    const cfg = parseEnv("gateway", gatewayEnv, prod);
    expect(cfg.PORT).toBe(8080);
    expect(cfg.JWT_ALGORITHMS).toEqual(["RS256", "ES256"]);
    expect(cfg.JWT_CLOCK_TOLERANCE_SECONDS).toBe(10);
    expect(cfg.DEV_ISSUER).toBe(false);
    expect(cfg.ORDERS_URL).toBeUndefined();
    expect(cfg.RATE_LIMITS.orders?.burst).toBe(100);
    expect(tokenIdentity(cfg)).toEqual({ issuer: "https://id.example.com/", audience: "api" });
  });

  test("without the dev issuer, JWKS_URL, JWT_ISSUER and JWT_AUDIENCE are required", () => {
    const p = problems({ INTERNAL_AUTH_PRIVATE_JWK: jwk });
    for (const name of ["JWKS_URL", "JWT_ISSUER", "JWT_AUDIENCE"]) expect(p.join("\n")).toContain(`${name}: required but not set`);
  });

  test("OIDC_ISSUER_URL instead of JWKS_URL + JWT_ISSUER: kept exactly as written, trailing slash included", () => {
    const cfg = parseEnv("gateway", gatewayEnv, { OIDC_ISSUER_URL: "https://id.example.com/", JWT_AUDIENCE: "api", INTERNAL_AUTH_PRIVATE_JWK: jwk });
    expect(cfg.OIDC_ISSUER_URL).toBe("https://id.example.com/");
    expect(cfg.OIDC_DISCOVERY_RETRIES).toBe(4);
    expect(tokenIdentity(cfg)).toEqual({ issuer: "https://id.example.com/", audience: "api" });
    expect(problems({ OIDC_ISSUER_URL: "https://id.example.com", INTERNAL_AUTH_PRIVATE_JWK: jwk })).toEqual(["JWT_AUDIENCE: required but not set"]);
    expect(problems({ OIDC_ISSUER_URL: "id.example.com", JWT_AUDIENCE: "api", INTERNAL_AUTH_PRIVATE_JWK: jwk })[0]).toContain("OIDC_ISSUER_URL:");
  });

  test("both forms at once are refused, each extra variable named; neither names all three ways", () => {
    const both = problems({ ...prod, OIDC_ISSUER_URL: "https://id.example.com/" });
    expect(both).toEqual([
      "JWKS_URL: cannot be combined with OIDC_ISSUER_URL (discovery names the JWKS and the issuer); set OIDC_ISSUER_URL, or JWKS_URL and JWT_ISSUER",
      "JWT_ISSUER: cannot be combined with OIDC_ISSUER_URL (discovery names the JWKS and the issuer); set OIDC_ISSUER_URL, or JWKS_URL and JWT_ISSUER",
    ]);
    expect(problems({ INTERNAL_AUTH_PRIVATE_JWK: jwk, JWT_AUDIENCE: "api" })).toEqual([
      "JWKS_URL: required but not set (or set OIDC_ISSUER_URL, or DEV_ISSUER=true for local use)",
      "JWT_ISSUER: required but not set (or set OIDC_ISSUER_URL, or DEV_ISSUER=true for local use)",
    ]);
    // half of the JWKS form: the missing half is named, without suggesting the other form
    expect(problems({ INTERNAL_AUTH_PRIVATE_JWK: jwk, JWT_AUDIENCE: "api", JWKS_URL: "https://id.example.com/jwks" })).toEqual([
      "JWT_ISSUER: required but not set",
    ]);
  });

  test("the dev issuer refuses to run next to a production issuer", () => {
    expect(problems({ INTERNAL_AUTH_PRIVATE_JWK: jwk, DEV_ISSUER: "true", OIDC_ISSUER_URL: "https://id.example.com" }).join("\n")).toContain(
      "DEV_ISSUER=true cannot be combined with OIDC_ISSUER_URL",
    );
    expect(problems({ ...prod, DEV_ISSUER: "true" }).join("\n")).toContain("DEV_ISSUER=true cannot be combined with JWKS_URL");
    expect(problems({ INTERNAL_AUTH_PRIVATE_JWK: jwk, DEV_ISSUER: "true", JWT_ISSUER: "https://id.example.com/" }).join("\n")).toContain(
      "DEV_ISSUER=true cannot be combined with JWT_ISSUER",
    );
    const dev = parseEnv("gateway", gatewayEnv, { INTERNAL_AUTH_PRIVATE_JWK: jwk, DEV_ISSUER: "true" });
    expect(tokenIdentity(dev)).toEqual({ issuer: DEV_ISSUER_ID, audience: DEV_AUDIENCE });
  });

  test("none, HMAC and unknown algorithms are refused; tolerance is capped at 30 s", () => {
    for (const algs of ["none", "HS256", "RS256,HS512", "RS1", ""]) {
      const p = problems({ ...prod, JWT_ALGORITHMS: algs || "," });
      expect(p.join("\n")).toContain("JWT_ALGORITHMS: only asymmetric algorithms");
    }
    expect(parseEnv("gateway", gatewayEnv, { ...prod, JWT_ALGORITHMS: "EdDSA, PS256" }).JWT_ALGORITHMS).toEqual(["EdDSA", "PS256"]);
    expect(problems({ ...prod, JWT_CLOCK_TOLERANCE_SECONDS: "31" })[0]).toContain("JWT_CLOCK_TOLERANCE_SECONDS");
  });

  test("upstreams, limits, proxies and timeouts are parsed, and bad values named", () => {
    const cfg = parseEnv("gateway", gatewayEnv, {
      ...prod,
      ORDERS_URL: "http://orders:8081/",
      RATE_LIMITS: "orders=5/s:9",
      TRUSTED_PROXIES: "10.0.0.0/8",
      UPSTREAM_TIMEOUTS: "inference=60000",
      CORS_ORIGINS: "https://a.example, https://b.example",
    });
    expect(cfg.ORDERS_URL).toBe("http://orders:8081");
    expect(cfg.RATE_LIMITS.orders?.burst).toBe(9);
    expect(cfg.TRUSTED_PROXIES).toHaveLength(1);
    expect(cfg.UPSTREAM_TIMEOUTS).toEqual({ inference: 60_000 });
    expect(cfg.CORS_ORIGINS).toEqual(["https://a.example", "https://b.example"]);
    const p = problems({
      ...prod,
      ORDERS_URL: "ftp://x",
      RATE_LIMITS: "orders=lots",
      TRUSTED_PROXIES: "10.0.0.0/40",
      UPSTREAM_TIMEOUTS: "orders=-1",
      RATE_LIMIT_STORE: "nats",
    });
    for (const name of ["ORDERS_URL", "RATE_LIMITS", "TRUSTED_PROXIES", "UPSTREAM_TIMEOUTS", "NATS_URL"]) expect(p.join("\n")).toContain(`${name}:`);
  });
});
