// Benchmark reference: the least a Bun proxy can do (Bun.serve + fetch, headers passed through, no auth, no limits,
// no log). Its req/s is the ceiling of any fetch-based proxy on Bun on this machine; the gateway is measured against it.
// Usage (from scripts/bench/gateway.ts --bare-proxy, scripts/bench/inference.ts): bun scripts/bench/gateway-bare-proxy.ts PORT UPSTREAM_ORIGIN

const port = Number(process.argv[2]);
const upstream = process.argv[3] ?? "";

Bun.serve({
  port,
  hostname: "127.0.0.1",
  fetch(req) {
    const url = req.url;
    const target = url.slice(url.indexOf("/", url.indexOf("//") + 2));
    return fetch(upstream + target, { method: req.method, headers: req.headers, body: req.body, redirect: "manual", decompress: false } as RequestInit);
  },
});
console.log(`bare proxy on ${port} → ${upstream}`);

export {}; // a module: its names stay its own
