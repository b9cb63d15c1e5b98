// Benchmark upstream: a tiny Bun server answering every path with a small order-sized JSON, and the issuer's JWKS at /jwks.json.
// Usage (from scripts/bench/gateway.ts): BENCH_JWKS='{"keys":[…]}' bun scripts/bench/gateway-upstream.ts PORT

const port = Number(process.argv[2]);
const jwks = process.env.BENCH_JWKS ?? '{"keys":[]}';
const body = JSON.stringify({
  id: "0192f1b4-7c1e-7000-8000-000000000001",
  customerId: "bench-user",
  status: "placed",
  currency: "EUR",
  totalCents: 2699,
  items: [{ sku: "BOOK-42", quantity: 2, unitPriceCents: 1250 }],
});
const json = { "content-type": "application/json" };

Bun.serve({
  port,
  hostname: "127.0.0.1",
  fetch: (req) => (req.url.endsWith("/jwks.json") ? new Response(jwks, { headers: json }) : new Response(body, { headers: json })),
});
console.log(`upstream on ${port}`);
