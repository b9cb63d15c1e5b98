// Benchmark reference: the least a Bun proxy can do (Bun.serve + fetch, headers passed through, no auth, no limits,
// no log). Its req/s is the ceiling of any fetch-based proxy on Bun on this machine; the gateway is measured against it.
// Usage (from scripts/bench/gateway.ts --bare-proxy, scripts/bench/inference.ts):
//   bun scripts/bench/gateway-bare-proxy.ts PORT UPSTREAM_ORIGIN [whole]
// With `whole` it reads the request and the answer whole before passing them on, as the inference service does with
// model calls, instead of streaming both through: on small bodies that is the cheaper way in Bun (a c=1 call through
// it added 0.10–0.13 ms where the streaming one added 0.19–0.23, 2-core machine), so it is the floor for the service's
// latency at c=1; the streaming one stays the throughput reference.

const port = Number(process.argv[2]);
const upstream = process.argv[3] ?? "";
const whole = process.argv[4] === "whole";

const target = (req: Request) => {
  const url = req.url;
  return upstream + url.slice(url.indexOf("/", url.indexOf("//") + 2));
};
const init = (req: Request, body: BodyInit | null) =>
  ({ method: req.method, headers: req.headers, body, redirect: "manual", decompress: false }) as RequestInit;

Bun.serve({
  port,
  hostname: "127.0.0.1",
  fetch: whole
    ? async (req) => {
        const body = req.method === "GET" || req.method === "HEAD" ? null : await req.arrayBuffer();
        const res = await fetch(target(req), init(req, body));
        return new Response(await res.arrayBuffer(), { status: res.status, headers: res.headers });
      }
    : (req) => fetch(target(req), init(req, req.body)),
});
console.log(`bare proxy${whole ? " (whole bodies)" : ""} on ${port} → ${upstream}`);

export {}; // a module: its names stay its own
