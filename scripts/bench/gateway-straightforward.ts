// Benchmark reference: the least a "straightforward Hono + jose + fetch gateway" (which the gateway issue quotes at
// about 40% of nginx and about 0.23 ms added) can be: Hono routing, jose's jwtVerify against a remote JWKS on every
// request (no cache of verified tokens), a per-subject token bucket, and fetch with the client's headers. It leaves out
// what the issue's gateway must also do (internal token, header hygiene, deadline, breaker, security headers, access
// line), so it is an upper bound for such a gateway, not a like-for-like one.
// Usage (from scripts/bench/gateway.ts --straightforward): BENCH_JWT_ISSUER=… BENCH_JWT_AUDIENCE=… \
//   bun scripts/bench/gateway-straightforward.ts PORT UPSTREAM_ORIGIN
import { Hono } from "hono";
import { createRemoteJWKSet, jwtVerify } from "jose";

const port = Number(process.argv[2]);
const upstream = process.argv[3] ?? "";
const issuer = process.env.BENCH_JWT_ISSUER ?? "";
const audience = process.env.BENCH_JWT_AUDIENCE ?? "";
const keys = createRemoteJWKSet(new URL(`${upstream}/jwks.json`));
const RATE = 1_000_000;
const buckets = new Map<string, { tokens: number; at: number }>();

const app = new Hono();
app.all("*", async (c) => {
  const authorization = c.req.header("authorization");
  if (!authorization?.startsWith("Bearer ")) return c.json({ error: "unauthorized" }, 401);
  let subject: string;
  try {
    const { payload } = await jwtVerify(authorization.slice(7), keys, { issuer, audience, algorithms: ["RS256"] });
    subject = payload.sub ?? "";
  } catch {
    return c.json({ error: "unauthorized" }, 401);
  }
  const now = performance.now();
  const bucket = buckets.get(subject) ?? { tokens: RATE, at: now };
  bucket.tokens = Math.min(RATE, bucket.tokens + ((now - bucket.at) / 1000) * RATE) - 1;
  bucket.at = now;
  buckets.set(subject, bucket);
  if (bucket.tokens < 0) return c.json({ error: "rate limited" }, 429);
  const url = new URL(c.req.url);
  const headers = new Headers(c.req.raw.headers);
  headers.delete("host");
  return fetch(upstream + url.pathname + url.search, { method: c.req.method, headers, body: c.req.raw.body, redirect: "manual" });
});

Bun.serve({ port, hostname: "127.0.0.1", fetch: app.fetch });
console.log(`straightforward gateway on ${port} → ${upstream}`);
