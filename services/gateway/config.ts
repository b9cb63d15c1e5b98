// The gateway's environment: user-token verification, upstreams, limits, CORS, trusted proxies and the dev issuer switch.
import { z } from "zod";
import { privateJwkEnv } from "../../lib/auth/jwks-env.ts";
import { commonEnv, natsStreamReplicas } from "../../lib/config/env.ts";
import { parseCidrList } from "../../lib/http/ip-address.ts";
import { DEFAULT_PORTS } from "../../lib/serve/starting-listener.ts";
import { DEV_AUDIENCE, DEV_ISSUER_ID } from "./dev-issuer/issuer.ts";
import { parseRateLimits } from "./ratelimit/policies.ts";

/** Asymmetric JWS algorithms only: `none` and HMAC (which a public key would turn into a forgery oracle) are refused. */
export const ALLOWED_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed25519"] as const;

const list = (text: string) =>
  text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

const httpUrlExact = z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" });
const httpUrl = httpUrlExact.transform((u) => u.replace(/\/+$/, ""));
const ms = (fallback: number, max = 600_000) => z.coerce.number().int().min(1).max(max).default(fallback);
const bool = z
  .enum(["true", "false", "1", "0"])
  .default("false")
  .transform((v) => v === "true" || v === "1");

const algorithms = z
  .string()
  .default("RS256,ES256")
  .transform((text, ctx) => {
    const algs = list(text);
    const bad = algs.filter((a) => !(ALLOWED_ALGORITHMS as readonly string[]).includes(a));
    if (bad.length > 0 || algs.length === 0) {
      ctx.addIssue({
        code: "custom",
        message: `only asymmetric algorithms are allowed (${ALLOWED_ALGORITHMS.join(", ")}); refused: ${bad.join(", ") || "(empty)"}`,
      });
      return z.NEVER;
    }
    return algs;
  });

const parsed = <T>(parse: (text: string) => T) =>
  z.string().transform((text, ctx) => {
    try {
      return parse(text);
    } catch (err) {
      ctx.addIssue({ code: "custom", message: (err as Error).message });
      return z.NEVER;
    }
  });

/**
 * Per-upstream response deadlines that differ from UPSTREAM_TIMEOUT_MS unless UPSTREAM_TIMEOUTS names the upstream.
 * Inference answers at a stream's first chunk, after its queue and the model's time to first token, and enforces its own
 * per-model limits (each 504 with its own code): the gateway's deadline is only the backstop behind them, at the longest
 * the gateway allows, so a slow first token is never cut by a generic gateway 504.
 */
export const UPSTREAM_TIMEOUT_DEFAULTS: Readonly<Record<string, number>> = { inference: 600_000 };

export const gatewayEnv = z
  .object({
    ...commonEnv(DEFAULT_PORTS.gateway),
    // Kept exactly as written: it is compared with the discovery document's `issuer` and the tokens' `iss` byte for byte.
    OIDC_ISSUER_URL: httpUrlExact
      .optional()
      .describe("Issuer whose discovery document names its JWKS, `iss` and algorithms (instead of JWKS_URL + JWT_ISSUER)"),
    OIDC_DISCOVERY_RETRIES: z.coerce.number().int().min(0).max(10).default(4).describe("Retries of an unreachable discovery document at startup"),
    JWKS_URL: httpUrl.optional().describe("JWKS of the OIDC issuer whose user tokens the gateway accepts"),
    JWT_ISSUER: z.string().min(1).optional().describe("Exact `iss` of accepted user tokens"),
    JWT_AUDIENCE: z.string().min(1).optional().describe("`aud` that accepted user tokens must contain"),
    JWT_ALGORITHMS: algorithms.describe("Comma-separated allow-list of asymmetric JWS algorithms"),
    JWT_CLOCK_TOLERANCE_SECONDS: z.coerce.number().int().min(0).max(30).default(10).describe("Clock skew allowed on exp/nbf/iat (≤ 30 s)"),
    JWT_MAX_BYTES: z.coerce.number().int().min(512).max(16_384).default(8_192).describe("Longest accepted user token"),
    JWKS_CACHE_MAX_AGE_MS: ms(600_000, 86_400_000).describe("How long a fetched JWKS is used before it is fetched again"),
    JWKS_COOLDOWN_MS: ms(30_000).describe("At most one JWKS fetch per this period (unknown kid, failures)"),
    JWKS_TIMEOUT_MS: ms(5_000, 60_000).describe("Timeout of one JWKS (or discovery document) fetch"),
    INTERNAL_AUTH_PRIVATE_JWK: privateJwkEnv.describe("Private Ed25519 JWK (with kid) that signs the internal tokens for services"),
    ORDERS_URL: httpUrl.optional().describe("Orders service base URL; unset → /v1/orders is not routed"),
    NOTIFICATIONS_URL: httpUrl.optional().describe("Notifications service base URL; unset → not routed"),
    INFERENCE_URL: httpUrl.optional().describe("Inference service base URL; unset → not routed"),
    UPSTREAM_TIMEOUT_MS: ms(10_000).describe("Default deadline for an upstream's response headers (504 beyond)"),
    UPSTREAM_TIMEOUTS: parsed(parseUpstreamTimeouts)
      .default({})
      .transform((given) => ({ ...UPSTREAM_TIMEOUT_DEFAULTS, ...given }))
      .describe("Per-upstream deadlines, e.g. `inference=60000,orders=5000` (inference defaults to 600000)"),
    UPSTREAM_CONNECT_TIMEOUT_MS: ms(2_000).describe(
      "How long a waiting call gives an upstream to accept a TCP connection before 504 (checked by a shared probe)",
    ),
    UPSTREAM_CONNECT_TIMEOUTS: parsed(parseUpstreamTimeouts).default({}).describe("Per-upstream connect timeouts, e.g. `inference=5000`"),
    UPSTREAM_RETRIES: z.coerce.number().int().min(0).max(5).default(2).describe("Retries of idempotent bodiless requests"),
    BREAKER_FAILURE_THRESHOLD: z.coerce.number().int().min(1).max(1_000).default(5).describe("Consecutive upstream failures that open its circuit"),
    BREAKER_OPEN_MS: ms(5_000).describe("How long an open circuit answers 503 before probing"),
    RATE_LIMITS: parsed(parseRateLimits).default(parseRateLimits("")).describe("Per route group token buckets, e.g. `orders=50/s:100,public=10/s:20`"),
    RATE_LIMIT_STORE: z.enum(["memory", "nats"]).default("memory").describe("memory (per replica) or nats (shared NATS KV bucket)"),
    RATE_LIMIT_MAX_BUCKETS: z.coerce.number().int().min(100).max(10_000_000).default(100_000).describe("Buckets kept per group in memory"),
    NATS_URL: z.string().min(1).optional().describe("NATS server for RATE_LIMIT_STORE=nats"),
    NATS_STREAM_REPLICAS: natsStreamReplicas,
    TRUSTED_PROXIES: parsed(parseCidrList).default([]).describe("CIDRs of proxies whose X-Forwarded-For is believed"),
    METRICS_ALLOWED_CIDRS: parsed(parseCidrList)
      .default(parseCidrList("127.0.0.0/8,::1,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7"))
      .describe("Client addresses that may read /metrics (others get 404): loopback and private ranges by default"),
    CORS_ORIGINS: z.string().default("").transform(list).describe("Exact browser origins allowed by CORS"),
    HEADER_LIMIT_BYTES: z.coerce
      .number()
      .int()
      .min(1_024)
      .max(16_384)
      .default(12_288)
      .describe("Largest accepted request header section (431 beyond; Bun itself refuses more than 16 KiB)"),
    DEV_ISSUER: bool.describe("Run the built-in development issuer (never in production)"),
    DATA_DIR: z.string().default(".data").describe("Folder of the dev issuer's key pair"),
  })
  .superRefine(
    (cfg, ctx) => {
      if (cfg.DEV_ISSUER === true) {
        // A dev issuer next to a real one would let anyone with the dev key file mint accepted tokens.
        for (const name of ["JWKS_URL", "OIDC_ISSUER_URL"] as const)
          if (cfg[name])
            ctx.addIssue({
              code: "custom",
              path: ["DEV_ISSUER"],
              message: `DEV_ISSUER=true cannot be combined with ${name} (a production issuer); unset one of them`,
            });
        if (cfg.JWT_ISSUER && cfg.JWT_ISSUER !== DEV_ISSUER_ID)
          ctx.addIssue({
            code: "custom",
            path: ["DEV_ISSUER"],
            message: `DEV_ISSUER=true cannot be combined with JWT_ISSUER=${cfg.JWT_ISSUER}; unset one of them`,
          });
      } else if (cfg.OIDC_ISSUER_URL) {
        // One source of truth: the discovery document names the keys and the issuer; a second, typed-in copy could only differ.
        for (const name of ["JWKS_URL", "JWT_ISSUER"] as const)
          if (cfg[name])
            ctx.addIssue({
              code: "custom",
              path: [name],
              message: `cannot be combined with OIDC_ISSUER_URL (discovery names the JWKS and the issuer); set OIDC_ISSUER_URL, or JWKS_URL and JWT_ISSUER`,
            });
        if (!cfg.JWT_AUDIENCE) ctx.addIssue({ code: "custom", path: ["JWT_AUDIENCE"], message: "required but not set" });
      } else {
        const hint = cfg.JWKS_URL || cfg.JWT_ISSUER ? "" : " (or set OIDC_ISSUER_URL, or DEV_ISSUER=true for local use)";
        for (const name of ["JWKS_URL", "JWT_ISSUER", "JWT_AUDIENCE"] as const) {
          if (!cfg[name]) ctx.addIssue({ code: "custom", path: [name], message: `required but not set${hint}` });
        }
      }
      if (cfg.RATE_LIMIT_STORE === "nats" && !cfg.NATS_URL)
        ctx.addIssue({ code: "custom", path: ["NATS_URL"], message: "required when RATE_LIMIT_STORE=nats" });
    },
    // Run even when other variables are invalid, so one message lists every problem.
    { when: () => true } as never,
  );

export type GatewayConfig = z.infer<typeof gatewayEnv>;

/** The issuer and audience in force: the configured ones, or the dev issuer's when it runs. */
export function tokenIdentity(cfg: GatewayConfig): { issuer: string; audience: string } {
  return { issuer: cfg.JWT_ISSUER ?? cfg.OIDC_ISSUER_URL ?? DEV_ISSUER_ID, audience: cfg.JWT_AUDIENCE ?? DEV_AUDIENCE };
}

/** `orders=5000,inference=60000` → { orders: 5000, inference: 60000 }. */
export function parseUpstreamTimeouts(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of list(text)) {
    const m = /^([a-z]+)=(\d+)$/.exec(item);
    const value = Number(m?.[2]);
    if (!m?.[1] || !(value >= 1 && value <= 600_000)) throw new Error(`"${item}" is not name=milliseconds (1..600000)`);
    out[m[1]] = value;
  }
  return out;
}
