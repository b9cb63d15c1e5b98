// Benchmark reference: the least per-request work the gateway's job demands, written inline with no structure, no
// metrics and no checks beyond it: a cached verified-token lookup, a token-bucket take, request headers rewritten with an
// internal token and the forwarding fields (peer address included), a deadline (AbortController + timer), the security
// and rate-limit headers on the answer, and one access-log line. It is not a gateway (it verifies nothing, refuses
// nothing); its req/s says how close any Bun gateway doing this work can come to nginx on this machine.
// Usage (from scripts/bench/gateway.ts --essential-proxy): bun scripts/bench/gateway-essential-proxy.ts PORT UPSTREAM_ORIGIN
import { SECURITY_HEADERS } from "../../lib/http/proxy/security-headers.ts";

const port = Number(process.argv[2]);
const upstream = process.argv[3] ?? "";
const INTERNAL = `Bearer ${"i".repeat(420)}`; // about the size of a minted internal token
const identities = new Map<string, { subject: string; internal: string }>();
const buckets = new Map<string, { tokens: number; at: number }>();
const RATE = 1_000_000;
let lines: string[] = [];
setInterval(() => {
  if (lines.length === 0) return;
  process.stdout.write(`${lines.join("\n")}\n`);
  lines = [];
}, 5);

Bun.serve({
  port,
  hostname: "127.0.0.1",
  async fetch(req, server) {
    const started = performance.now();
    const url = req.url;
    const target = url.slice(url.indexOf("/", url.indexOf("//") + 2));
    const h = req.headers;
    const authorization = h.get("authorization") ?? "";
    let id = identities.get(authorization);
    if (id === undefined) {
      id = { subject: "bench-user", internal: INTERNAL };
      identities.set(authorization, id);
    }
    let bucket = buckets.get(id.subject);
    if (bucket === undefined) {
      bucket = { tokens: RATE, at: started };
      buckets.set(id.subject, bucket);
    }
    bucket.tokens = Math.min(RATE, bucket.tokens + ((started - bucket.at) / 1000) * RATE) - 1;
    bucket.at = started;
    const out: Record<string, string> = Object.create(null);
    h.forEach((value, name) => {
      if (name !== "authorization" && name !== "host" && name !== "connection") out[name] = value;
    });
    const requestId = crypto.randomUUID();
    out.authorization = id.internal;
    out["x-request-id"] = requestId;
    out.traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    out["x-forwarded-for"] = server.requestIP(req)?.address ?? "";
    out["x-forwarded-proto"] = "http";
    out.via = "1.1 gateway";
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), 10_000);
    let res: Response;
    try {
      res = await fetch(upstream + target, { headers: out, signal: ac.signal, redirect: "manual", decompress: false } as RequestInit);
    } finally {
      clearTimeout(timer);
    }
    const rh = res.headers;
    for (const name in SECURITY_HEADERS) rh.set(name, SECURITY_HEADERS[name] as string);
    rh.set("cache-control", "no-store");
    rh.set("ratelimit-policy", `"orders";q=${RATE};w=1`);
    rh.set("ratelimit", `"orders";r=${Math.floor(bucket.tokens)};t=0`);
    rh.set("x-request-id", requestId);
    lines.push(`{"msg":"request","request_id":"${requestId}","status":${res.status},"duration_ms":${performance.now() - started}}`);
    return res;
  },
});
console.log(`essential proxy on ${port} → ${upstream}`);
