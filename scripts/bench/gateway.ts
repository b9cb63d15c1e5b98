// Benchmark: the gateway (JWT verification + rate limiting + proxying) vs nginx as a plain reverse proxy vs direct calls, one upstream.
//
// Usage:  npm run bench:gateway [-- flags]        (or: bun scripts/bench/gateway.ts [flags])
//
//   --duration S        seconds of each measured c=32 run; c=1 runs take half (default 10; env BENCH_DURATION)
//   --warmup S          seconds of warm-up before each measured run (default 2; BENCH_WARMUP)
//   --rounds N          interleaved rounds; medians are reported (default 3; BENCH_ROUNDS)
//   --connections N     connections of the throughput runs (default 32; BENCH_CONNECTIONS)
//   --nginx-workers N   nginx worker_processes (default 1: one event loop, like one gateway process; BENCH_NGINX_WORKERS)
//   --no-access-log     neither nginx nor the gateway writes a line per request (default: both do, to a file)
//   --bare-proxy        also measure a bare Bun.serve + fetch proxy (no auth, limits or log): the ceiling of any
//                       fetch-based proxy on Bun on this machine, to tell the gateway's own cost from the runtime's
//   --essential-proxy   also measure the least per-request work the gateway's job demands, inline (token cache lookup,
//                       bucket, header rewrite with an internal token and the peer address, deadline, security and
//                       rate-limit headers, access line): how close any Bun gateway can come to nginx here
//   --straightforward   also measure the least "straightforward Hono + jose + fetch gateway" (jwtVerify on every
//                       request, a token bucket, fetch; none of the gateway's other work): an upper bound for the
//                       reference the issue quotes at about 40% of nginx
//   --stock-nginx       also measure nginx with the stock `proxy_pass` (HTTP/1.0, a new upstream connection per
//                       request): what an untuned "plain" nginx does; the target is judged against the tuned one only
//   --keep              keep the temp folder (configs, logs)
//
// Needs on PATH: wrk and nginx (Debian: apt-get install -y wrk nginx).
//
// Fairness: all three targets are driven by the same wrk (1 thread, C + LuaJIT, a few % of a core) on loopback, against
// the same upstream: a tiny Bun.serve returning a small order-sized JSON, which is what the gateway fronts in this
// platform (Bun services). nginx gets the same job minus the auth work: keep-alive upstream pool, HTTP/1.1, no buffering
// tweaks, one worker by default (the gateway is one event loop; replicas scale both the same way), and an access log to a
// file because the gateway writes its JSON access line too. The gateway runs as deployed: a real JWKS fetched over HTTP,
// RS256 user tokens, LOG_LEVEL=info to a file, its default caches, and a rate limit high enough never to refuse (every
// request still takes a token from its bucket). Rounds interleave the targets so a noisy neighbour hits all of them.
//
// It is a measurement, not a test: it exits 0 whether or not targets are met, 1 when something broke (a tool failed,
// a service did not start, any non-2xx answer), 2 when a required tool is missing.
import { mkdtempSync, openSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { generateDevKeyPair } from "../../lib/auth/dev-keys.ts";
import { nginxCommand } from "../../lib/testing/nginx.ts";
import { createUserTokenMinter, DEV_ISSUER_ID, generateDevIssuerKeys } from "../../services/gateway/dev-issuer/issuer.ts";
import { freePort, killAllChildren, runChild, startChild } from "./proc.ts";

const ROOT = resolve(import.meta.dir, "../..");
const TARGET_RATIO = 0.6;
const TARGET_ADDED_P50_MS = 0.2;
const PATH = "/v1/orders/0192f1b4-7c1e-7000-8000-000000000001";
const AUDIENCE = "bench-api";

const { values: flags } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    duration: { type: "string" },
    warmup: { type: "string" },
    rounds: { type: "string" },
    connections: { type: "string" },
    "nginx-workers": { type: "string" },
    "no-access-log": { type: "boolean" },
    "bare-proxy": { type: "boolean" },
    "essential-proxy": { type: "boolean" },
    "stock-nginx": { type: "boolean" },
    straightforward: { type: "boolean" },
    keep: { type: "boolean" },
  },
});
const env = process.env;
const int = (v: string | undefined, fallback: number) => {
  const n = Number(v ?? fallback);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`not a positive whole number: ${v}`);
  return n;
};
const cfg = {
  duration: int(flags.duration ?? env.BENCH_DURATION, 10),
  warmup: int(flags.warmup ?? env.BENCH_WARMUP, 2),
  rounds: int(flags.rounds ?? env.BENCH_ROUNDS, 3),
  connections: int(flags.connections ?? env.BENCH_CONNECTIONS, 32),
  nginxWorkers: int(flags["nginx-workers"] ?? env.BENCH_NGINX_WORKERS, 1),
  accessLog: !flags["no-access-log"],
};

interface WrkResult {
  requests: number;
  duration_us: number;
  errors_status: number;
  errors_socket: number;
  p50_us: number;
  p90_us: number;
  p99_us: number;
  max_us: number;
}

async function wrk(base: string, token: string, connections: number, seconds: number): Promise<WrkResult> {
  const r = await runChild(
    ["wrk", "-t1", `-c${connections}`, `-d${seconds}s`, "--timeout", "5s", "-s", join(import.meta.dir, "gateway.lua"), base, "--", token, PATH],
    { timeoutMs: (seconds + 30) * 1000 },
  );
  const line = r.stdout.split("\n").find((l) => l.startsWith("WRK_RESULT "));
  if (r.code !== 0 || !line) throw new Error(`wrk failed (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  const result = JSON.parse(line.slice("WRK_RESULT ".length)) as WrkResult;
  if (result.errors_status + result.errors_socket > 0)
    throw new Error(`${base}: ${result.errors_status} non-2xx answers, ${result.errors_socket} socket errors`);
  return result;
}

async function waitFor(url: string, what: string, proc: { exitCode: number | null }) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (
      await fetch(url).then(
        (r) => r.status < 500,
        () => false,
      )
    )
      return;
    if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`${what} did not start (exit code ${proc.exitCode})`);
    await Bun.sleep(50);
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? (s[(s.length - 1) / 2] as number) : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
};
const rps = (w: WrkResult) => w.requests / (w.duration_us / 1e6);
const ms = (us: number) => (us / 1000).toFixed(3);

async function main(): Promise<number> {
  const missing = ["wrk", "nginx"].filter((t) => !Bun.which(t));
  if (missing.length) {
    console.error(`missing tools: ${missing.join(", ")} (Debian: apt-get install -y ${missing.join(" ")})`);
    return 2;
  }
  const dir = mkdtempSync(join(tmpdir(), "bench-gateway-"));
  const log = (name: string) => openSync(join(dir, name), "w");
  try {
    const issuer = await generateDevIssuerKeys("bench-1");
    const internal = await generateDevKeyPair("bench-internal");
    const token = await (await createUserTokenMinter(issuer))({ subject: "bench-user", scopes: ["orders:read"], ttlSeconds: 3600, audience: AUDIENCE });
    // The dev issuer's minter stamps its own iss; the gateway below trusts that issuer through a real JWKS URL (the
    // production code path), not through DEV_ISSUER.
    const upstreamPort = freePort();
    const upstream = startChild([process.execPath, join(import.meta.dir, "gateway-upstream.ts"), String(upstreamPort)], {
      env: { ...env, BENCH_JWKS: JSON.stringify(issuer.jwks) },
      cwd: ROOT,
      logFd: log("upstream.log"),
    });
    const direct = `http://127.0.0.1:${upstreamPort}`;
    await waitFor(`${direct}/jwks.json`, "the upstream", upstream);

    const nginxPort = freePort();
    const nginx = startChild(nginxCommand({ dir, port: nginxPort, upstreamPort, workers: cfg.nginxWorkers, accessLog: cfg.accessLog }), {
      env,
      cwd: dir,
      logFd: log("nginx.out"),
    });
    const viaNginx = `http://127.0.0.1:${nginxPort}`;
    await waitFor(viaNginx, "nginx", nginx);

    const gatewayPort = freePort();
    const gateway = startChild([process.execPath, "services/gateway/main.ts"], {
      env: {
        ...env,
        PORT: String(gatewayPort),
        LOG_LEVEL: cfg.accessLog ? "info" : "warn",
        JWKS_URL: `${direct}/jwks.json`,
        JWT_ISSUER: DEV_ISSUER_ID,
        JWT_AUDIENCE: AUDIENCE,
        JWT_ALGORITHMS: "RS256",
        INTERNAL_AUTH_PRIVATE_JWK: JSON.stringify(internal.privateJwk),
        ORDERS_URL: direct,
        RATE_LIMITS: "orders=1000000/s:1000000",
        DEV_ISSUER: "false",
        DRAIN_DELAY_MS: "0",
      },
      cwd: ROOT,
      logFd: log("gateway.log"),
    });
    const viaGateway = `http://127.0.0.1:${gatewayPort}`;
    await waitFor(`${viaGateway}/readyz`, "the gateway", gateway);
    const probe = await fetch(`${viaGateway}${PATH}`, { headers: { authorization: `Bearer ${token}` } });
    if (probe.status !== 200) throw new Error(`the gateway answered ${probe.status}: ${await probe.text()}`);

    const targets = [
      { name: "direct", base: direct },
      { name: `nginx (${cfg.nginxWorkers} worker${cfg.nginxWorkers > 1 ? "s" : ""})`, base: viaNginx },
      { name: "gateway (JWT + rate limit)", base: viaGateway },
    ];
    const children = [upstream, nginx, gateway];
    const references = [
      { flag: "bare-proxy", name: "bare Bun fetch proxy", script: "gateway-bare-proxy.ts" },
      { flag: "essential-proxy", name: "essential Bun proxy", script: "gateway-essential-proxy.ts" },
      { flag: "straightforward", name: "minimal Hono+jose+fetch", script: "gateway-straightforward.ts" },
    ] as const;
    if (flags["stock-nginx"]) {
      const stockPort = freePort();
      const stock = startChild(
        nginxCommand({
          dir: join(dir, "stock-nginx"),
          port: stockPort,
          upstreamPort,
          workers: cfg.nginxWorkers,
          accessLog: cfg.accessLog,
          upstreamKeepalive: false,
        }),
        { env, cwd: dir, logFd: log("stock-nginx.out") },
      );
      await waitFor(`http://127.0.0.1:${stockPort}`, "the stock nginx", stock);
      targets.push({ name: "nginx, stock proxy_pass", base: `http://127.0.0.1:${stockPort}` });
      children.push(stock);
    }
    for (const ref of references) {
      if (!flags[ref.flag]) continue;
      const refPort = freePort();
      const proc = startChild([process.execPath, join(import.meta.dir, ref.script), String(refPort), direct], {
        env: { ...env, BENCH_JWT_ISSUER: DEV_ISSUER_ID, BENCH_JWT_AUDIENCE: AUDIENCE },
        cwd: ROOT,
        logFd: log(`${ref.flag}.log`),
      });
      await waitFor(`http://127.0.0.1:${refPort}/jwks.json`, `the ${ref.name}`, proc);
      targets.push({ name: ref.name, base: `http://127.0.0.1:${refPort}` });
      children.push(proc);
    }
    console.log(
      `gateway benchmark: GET ${PATH}, wrk -t1; c=${cfg.connections} for ${cfg.duration} s and c=1 for ${Math.max(1, cfg.duration >> 1)} s per round, ` +
        `${cfg.warmup} s warm-up, ${cfg.rounds} interleaved rounds (medians); access logs ${cfg.accessLog ? "on (to files)" : "off"}; temp ${dir}`,
    );
    const results = targets.map(() => ({ many: [] as WrkResult[], one: [] as WrkResult[] }));
    for (let round = 0; round < cfg.rounds; round++) {
      for (let k = 0; k < targets.length; k++) {
        const i = (k + round) % targets.length; // rotate the order so no target always runs first or last
        const t = targets[i] as (typeof targets)[number];
        await wrk(t.base, token, cfg.connections, cfg.warmup);
        const many = await wrk(t.base, token, cfg.connections, cfg.duration);
        const one = await wrk(t.base, token, 1, Math.max(1, cfg.duration >> 1));
        results[i]?.many.push(many);
        results[i]?.one.push(one);
        console.log(
          `  round ${round + 1} ${t.name.padEnd(28)} c=${cfg.connections}: ${rps(many).toFixed(0).padStart(7)} req/s p50 ${ms(many.p50_us)} p99 ${ms(many.p99_us)} ms | c=1: ${rps(one).toFixed(0).padStart(6)} req/s p50 ${ms(one.p50_us)} p99 ${ms(one.p99_us)} ms`,
        );
      }
    }
    const summary = targets.map((t, i) => {
      const r = results[i] as { many: WrkResult[]; one: WrkResult[] };
      return {
        name: t.name,
        rps: median(r.many.map(rps)),
        p50: median(r.many.map((w) => w.p50_us)),
        p99: median(r.many.map((w) => w.p99_us)),
        rps1: median(r.one.map(rps)),
        p50one: median(r.one.map((w) => w.p50_us)),
        p99one: median(r.one.map((w) => w.p99_us)),
      };
    });
    const [d, n, g] = summary as [(typeof summary)[0], (typeof summary)[0], (typeof summary)[0]];
    console.log("");
    console.log(
      `${"".padEnd(28)} ${`c=${cfg.connections} req/s`.padStart(12)} ${"p50 ms".padStart(8)} ${"p99 ms".padStart(8)} | ${"c=1 req/s".padStart(10)} ${"p50 ms".padStart(8)} ${"p99 ms".padStart(8)}`,
    );
    for (const s of summary) {
      console.log(
        `${s.name.padEnd(28)} ${s.rps.toFixed(0).padStart(12)} ${ms(s.p50).padStart(8)} ${ms(s.p99).padStart(8)} | ${s.rps1.toFixed(0).padStart(10)} ${ms(s.p50one).padStart(8)} ${ms(s.p99one).padStart(8)}`,
      );
    }
    const ratio = g.rps / n.rps;
    const added = (g.p50one - d.p50one) / 1000;
    console.log("");
    console.log(`gateway / nginx throughput:   ${ratio.toFixed(2)}   (target ≥ ${TARGET_RATIO})  ${ratio >= TARGET_RATIO ? "PASS" : "FAIL"}`);
    console.log(`gateway / direct throughput:  ${(g.rps / d.rps).toFixed(2)};  nginx / direct: ${(n.rps / d.rps).toFixed(2)}`);
    console.log(
      `gateway added p50 at c=1:     +${added.toFixed(3)} ms over direct (target ≤ ${TARGET_ADDED_P50_MS} ms)  ${added <= TARGET_ADDED_P50_MS ? "PASS" : "FAIL"}`,
    );
    console.log(`nginx added p50 at c=1:       +${((n.p50one - d.p50one) / 1000).toFixed(3)} ms over direct`);
    // Paired per round as well: on a shared machine one noisy round moves a median less than it moves a single ratio.
    const [rd, rn, rg] = results as [(typeof results)[0], (typeof results)[0], (typeof results)[0]];
    const perRound = rg.many.map((w, i) => (rps(w) / rps(rn.many[i] as WrkResult)).toFixed(2));
    const addedPerRound = rg.one.map((w, i) => ((w.p50_us - (rd.one[i] as WrkResult).p50_us) / 1000).toFixed(3));
    console.log(`per round: gateway / nginx ${perRound.join(", ")}; gateway added p50 at c=1 ${addedPerRound.join(", ")} ms`);
    for (const ref of summary.slice(3))
      console.log(`${ref.name} / nginx: ${(ref.rps / n.rps).toFixed(2)};  gateway / ${ref.name}: ${(g.rps / ref.rps).toFixed(2)}`);
    for (const p of children) p.kill("SIGTERM");
    await Promise.all(children.map((p) => p.exited));
    return 0;
  } finally {
    killAllChildren();
    if (!flags.keep) rmSync(dir, { recursive: true, force: true });
  }
}

for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, () => {
    killAllChildren();
    process.exit(130);
  });
}
main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`bench:gateway failed: ${err instanceof Error ? err.message : String(err)}`);
    killAllChildren();
    process.exit(1);
  },
);
