// `npm run bench:startup`: cold start and memory of every compiled service against a compiled Bun hello-world (the floor).
//
// Per target, in one run: executable size, `--version` wall time (targets round-robin, as are the spawns), spawn → first 200 on /healthz and on /readyz (real
// PostgreSQL and NATS), RSS idle after start (and its anonymous part) and after 10,000 requests, and the CPU that
// --version and the start up to /readyz used (steady when other work shares the machine, unlike wall times); medians
// of --runs spawns (default 7) after one uncounted warm-up spawn. Targets (issue 12) are judged as ratios to the
// hello-world measured in the same run.
import { mkdtempSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import postgres from "postgres";
import { generateDevKeyPair } from "../../lib/auth/dev-keys.ts";
import { createInternalTokenMinter } from "../../lib/auth/internal-token.ts";
import { createUserTokenMinter, DEV_AUDIENCE, generateDevIssuerKeys } from "../../services/gateway/dev-issuer/issuer.ts";
import { compile } from "../build.ts";
import { freePort, killAllChildren, runChild } from "./proc.ts";
import { median } from "./quantiles.ts";
import { ROOT } from "./service.ts";
import { fileSizeMb, type LoadPlan, measureSpawn, type SpawnFigures, versionMs } from "./startup-probe.ts";

const { values: args } = parseArgs({
  options: {
    runs: { type: "string", default: "7" },
    requests: { type: "string", default: "10000" },
    "no-build": { type: "boolean", default: false },
    only: { type: "string" },
  },
});
const RUNS = Number(args.runs);
const REQUESTS = Number(args.requests);
const DATABASE_URL = process.env.TEST_DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres";
const NATS_URL = process.env.TEST_NATS_URL || "nats://127.0.0.1:4222";
const BUN = process.execPath;
const work = mkdtempSync(join(tmpdir(), "bench-startup-"));
const LOAD_AT_START = loadavg();
const log = (line: string) => console.error(`bench:startup: ${line}`);
/** References, not targets: the libraries of orders and notifications (with PostgreSQL and NATS reached), and of gateway and inference. */
const LIBRARY_FLOOR = "library floor";
const HTTP_LIBRARY_FLOOR = "library floor (http)";
const REFERENCES: ReadonlySet<string> = new Set(["hello-world", LIBRARY_FLOOR, HTTP_LIBRARY_FLOOR]);
/** Issue 12's absolute targets (the others are ratios to hello-world): one place for the checks and the floors' verdicts. */
const TARGET = { readyzMs: 60, idleRssMb: 40, loadedRssMb: 60 } as const;

process.on("SIGINT", () => {
  killAllChildren();
  process.exit(130);
});

interface Target {
  name: string;
  exe: string;
  env: Record<string, string>;
  /** Made per spawn: internal tokens live at most 60 s, less than one target's spawns take. */
  load: () => Promise<LoadPlan>;
}

/** The runtime's floor: Bun.serve answering 200 to everything, compiled with the same flags as the services. */
async function helloWorld(): Promise<string> {
  const src = join(work, "hello.ts");
  writeFileSync(
    src,
    `if (process.argv.includes("--version")) { console.log("hello 0"); process.exit(0); }
const server = Bun.serve({ port: Number(process.env.PORT ?? 3000), hostname: "127.0.0.1", fetch: () => new Response("ok") });
process.on("SIGTERM", () => { server.stop(); process.exit(0); });\n`,
  );
  await compile(src, join(work, "hello"), { withEmbeddedDatabase: true });
  return join(work, "hello");
}

/** The libraries' floor (library-floor.ts): what loading them and reaching PostgreSQL and NATS costs, with no service code. */
async function libraryFloor(): Promise<string> {
  const exe = join(work, "library-floor");
  await compile(join(import.meta.dir, "library-floor.ts"), exe, { withEmbeddedDatabase: false });
  return exe;
}

async function createDatabase(sql: postgres.Sql, name: string): Promise<string> {
  await sql.unsafe(`drop database if exists "${name}" with (force)`);
  await sql.unsafe(`create database "${name}"`);
  const u = new URL(DATABASE_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

const get = (path: string, token?: string) => (base: string) => new Request(`${base}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

async function targets(hello: string, floor: string): Promise<{ list: Target[]; cleanup: () => Promise<void> }> {
  const admin = postgres(DATABASE_URL, { max: 1, onnotice: () => {} });
  const keys = await generateDevKeyPair("bench-startup");
  const mint = await createInternalTokenMinter(keys.privateJwk);
  const internal = (aud: string, scope: string) => mint({ audience: aud, subject: "bench", scopes: [scope], ttlSeconds: 3600 });
  const common = { PATH: process.env.PATH ?? "", LOG_LEVEL: "warn", DRAIN_DELAY_MS: "0", INTERNAL_AUTH_JWKS: JSON.stringify(keys.jwks), NATS_URL };
  const ordersEnv = { ...common, DATABASE_URL: await createDatabase(admin, "bench_startup_orders") };
  const issuerKeys = await generateDevIssuerKeys();
  const gatewayData = join(work, "gateway-data");
  await Bun.write(join(gatewayData, "dev-issuer-keys.json"), JSON.stringify(issuerKeys));
  const userToken = await (await createUserTokenMinter(issuerKeys))({ subject: "bench", scopes: ["orders:read"], ttlSeconds: 3600, audience: DEV_AUDIENCE });

  const list: Target[] = [
    { name: "hello-world", exe: hello, env: { PATH: common.PATH }, load: async () => ({ requests: REQUESTS, concurrency: 8, request: get("/") }) },
    {
      name: LIBRARY_FLOOR,
      exe: floor,
      env: { PATH: common.PATH, NATS_URL, DATABASE_URL },
      load: async () => ({ requests: REQUESTS, concurrency: 8, request: get("/") }),
    },
    {
      name: HTTP_LIBRARY_FLOOR,
      exe: floor,
      env: { PATH: common.PATH, LIBRARY_FLOOR: "http" },
      load: async () => ({ requests: REQUESTS, concurrency: 8, request: get("/") }),
    },
    {
      name: "orders",
      exe: join(ROOT, "dist/orders"),
      env: ordersEnv,
      load: async () => ({ requests: REQUESTS, concurrency: 8, request: get("/v1/orders?limit=20", await internal("orders", "orders:read")) }),
    },
    {
      name: "notifications",
      exe: join(ROOT, "dist/notifications"),
      env: { ...common, DATABASE_URL: await createDatabase(admin, "bench_startup_notifications") },
      load: async () => ({
        requests: REQUESTS,
        concurrency: 8,
        request: get("/v1/notifications?limit=20", await internal("notifications", "notifications:read")),
      }),
    },
  ];
  // The gateway's load goes through to a real orders process, so its figures include proxying.
  const ordersForGateway = await startUpstream(ordersEnv);
  list.push({
    name: "gateway",
    exe: join(ROOT, "dist/gateway"),
    env: {
      ...common,
      DEV_ISSUER: "true",
      DATA_DIR: gatewayData,
      INTERNAL_AUTH_PRIVATE_JWK: JSON.stringify(keys.privateJwk),
      ORDERS_URL: ordersForGateway.url,
      NATS_URL: "",
      RATE_LIMITS: "orders=1000000/s:1000000,notifications=1000000/s:1000000,inference=1000000/s:1000000,public=1000000/s:1000000",
    },
    load: async () => ({ requests: REQUESTS, concurrency: 8, request: get("/v1/orders?limit=20", userToken) }),
  });
  // Inference's registry points at a model server stub in this process (readiness and metadata answers only), so its
  // start includes the first readiness round and its load goes through the backend client, as in production.
  const modelServer = startModelServerStub();
  list.push({
    name: "inference",
    exe: join(ROOT, "dist/inference"),
    env: {
      ...common,
      NATS_URL: "",
      INFERENCE_MODELS: JSON.stringify({ "bench-model": { protocol: "oip-v2", backends: [{ url: modelServer.url }] } }),
    },
    load: async () => ({ requests: REQUESTS, concurrency: 8, request: get("/v1/models/bench-model", await internal("inference", "inference:invoke")) }),
  });
  const only = args.only?.split(",");
  return {
    list: list.filter((t) => !only || REFERENCES.has(t.name) || only.includes(t.name)),
    cleanup: async () => {
      ordersForGateway.stop();
      await modelServer.server.stop(true);
      await admin.end();
    },
  };
}

/** An OIP v2 model server that is ready and describes any model (what inference's start and metadata calls ask). */
function startModelServerStub(): { url: string; server: ReturnType<typeof Bun.serve> } {
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch: (req) => {
      const path = new URL(req.url).pathname;
      if (path === "/v2/health/ready") return new Response(null, { status: 200 });
      const model = /^\/v2\/models\/([^/]+)$/.exec(path)?.[1];
      if (model) return Response.json({ name: model, platform: "bench", inputs: [], outputs: [] });
      return new Response(null, { status: 404 });
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, server };
}

/** A long-running orders process on a fixed free port, for the gateway to proxy to. */
async function startUpstream(env: Record<string, string>): Promise<{ url: string; stop: () => void }> {
  const port = freePort();
  const p = Bun.spawn([join(ROOT, "dist/orders")], { env: { ...env, PORT: String(port) }, stdout: "ignore", stderr: "ignore" });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    if (
      await fetch(`${url}/readyz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return { url, stop: () => p.kill("SIGTERM") };
    await Bun.sleep(100);
  }
  p.kill("SIGKILL");
  throw new Error("the orders upstream for the gateway did not become ready");
}

interface Row {
  name: string;
  sizeMb: number;
  versionMs: number;
  versionCpuMs: number;
  healthzMs: number;
  readyzMs: number;
  readyzCpuMs: number;
  idleRssMb: number;
  idleAnonMb: number;
  loadedRssMb: number;
  loadFailures: number;
}

type VersionTimes = { ms: number; cpuMs: number }[];

/**
 * Measures every target round-robin: one `--version` of each per round, then one spawn of each per round (a first
 * round of each uncounted: page cache). Interleaved so the ratios to the hello-world compare processes started under
 * the same load; measured one target after the other, a neighbour's burst during one target's turn showed up as that
 * target's ratio.
 */
async function measureAll(list: Target[]): Promise<Row[]> {
  const versions = new Map<string, VersionTimes>(list.map((t) => [t.name, []]));
  for (let round = 0; round <= RUNS; round++) {
    for (const t of list) {
      const v = await versionMs(t.exe);
      if (round > 0) versions.get(t.name)?.push(v);
    }
  }
  log(`--version: ${[...versions].map(([name, v]) => `${name} ${median(v.map((x) => x.ms)).toFixed(1)} ms`).join(", ")}`);
  const spawns = new Map<string, SpawnFigures[]>(list.map((t) => [t.name, []]));
  log("warm-up spawns");
  for (const t of list) await measureSpawn(t.exe, t.env);
  for (let i = 1; i <= RUNS; i++) {
    for (const t of list) {
      const f = await measureSpawn(t.exe, t.env, await t.load());
      spawns.get(t.name)?.push(f);
      log(
        `${t.name}: spawn ${i}/${RUNS}: /healthz ${f.healthzMs.toFixed(1)} ms, /readyz ${f.readyzMs.toFixed(1)} ms (CPU ${f.readyzCpuMs.toFixed(1)} ms), RSS ${f.idleRssMb.toFixed(1)} (anon ${f.idleAnonMb.toFixed(1)}) → ${f.loadedRssMb?.toFixed(1)} MB after ${REQUESTS} requests${f.loadFailures ? ` (${f.loadFailures} not 200!)` : ""}`,
      );
    }
  }
  return list.map((t) => row(t, versions.get(t.name) ?? [], spawns.get(t.name) ?? []));
}

function row(t: Target, versions: VersionTimes, spawns: SpawnFigures[]): Row {
  const m = (pick: (f: SpawnFigures) => number) => median(spawns.map(pick));
  return {
    name: t.name,
    sizeMb: fileSizeMb(t.exe),
    versionMs: median(versions.map((v) => v.ms)),
    versionCpuMs: median(versions.map((v) => v.cpuMs)),
    healthzMs: m((f) => f.healthzMs),
    readyzMs: m((f) => f.readyzMs),
    readyzCpuMs: m((f) => f.readyzCpuMs),
    idleRssMb: m((f) => f.idleRssMb),
    idleAnonMb: m((f) => f.idleAnonMb),
    loadedRssMb: m((f) => f.loadedRssMb ?? Number.NaN),
    loadFailures: spawns.reduce((n, f) => n + (f.loadFailures ?? 0), 0),
  };
}

function report(rows: Row[]): boolean {
  const floor = rows.find((r) => r.name === "hello-world") as Row;
  const x = (v: number, f: number) => `${(v / f).toFixed(2)}×`;
  console.log(`\ncold start and memory, medians of ${RUNS} spawns (PostgreSQL ${new URL(DATABASE_URL).host}, NATS ${NATS_URL})`);
  // Wall times move with what else runs on the machine: the load average says how busy it was.
  console.log(
    `load average at the start ${LOAD_AT_START.map((l) => l.toFixed(2)).join(" ")}, at the end ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}\n`,
  );
  console.log(
    "| target | exe MB | --version ms | /healthz ms | /readyz ms | CPU: --version, to /readyz ms | idle RSS MB (anon) | RSS after %s req MB |".replace(
      "%s",
      String(REQUESTS),
    ),
  );
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|");
  for (const r of rows) {
    const ratio = r === floor ? "" : ` (${x(r.versionMs, floor.versionMs)})`;
    const hz = r === floor ? "" : ` (${x(r.healthzMs, floor.healthzMs)})`;
    console.log(
      `| ${r.name} | ${r.sizeMb.toFixed(1)} | ${r.versionMs.toFixed(1)}${ratio} | ${r.healthzMs.toFixed(1)}${hz} | ${r.readyzMs.toFixed(1)} | ${r.versionCpuMs.toFixed(1)}, ${r.readyzCpuMs.toFixed(1)} | ${r.idleRssMb.toFixed(1)} (${r.idleAnonMb.toFixed(1)}) | ${r.loadedRssMb.toFixed(1)} |`,
    );
  }
  let ok = true;
  const check = (what: string, pass: boolean) => {
    ok &&= pass;
    console.log(`${pass ? "PASS" : "FAIL"}  ${what}`);
  };
  console.log("");
  // A reference, not a target: where it misses a target, no service on these libraries can meet it on this machine.
  for (const libs of rows.filter((r) => r.name !== floor.name && REFERENCES.has(r.name))) {
    const missed = [
      libs.readyzMs > TARGET.readyzMs ? `/readyz ≤ ${TARGET.readyzMs} ms` : "",
      libs.idleRssMb > TARGET.idleRssMb ? `idle RSS ≤ ${TARGET.idleRssMb} MB` : "",
      libs.loadedRssMb > TARGET.loadedRssMb ? `RSS ≤ ${TARGET.loadedRssMb} MB after ${REQUESTS} requests` : "",
    ].filter(Boolean);
    console.log(
      `reference: ${libs.name} reaches /readyz ${libs.readyzMs.toFixed(1)} ms after spawn and idles at ${libs.idleRssMb.toFixed(1)} MB (${libs.loadedRssMb.toFixed(1)} MB after ${REQUESTS} requests)` +
        (missed.length ? `: it misses ${missed.join(", ")} itself, so no service on these libraries can meet that here` : ""),
    );
  }
  for (const r of rows) {
    if (REFERENCES.has(r.name)) continue;
    check(`${r.name}: --version ${x(r.versionMs, floor.versionMs)} of hello-world (target ≤ 1.5×)`, r.versionMs <= 1.5 * floor.versionMs);
    check(`${r.name}: first 200 on /healthz ${x(r.healthzMs, floor.healthzMs)} of hello-world (target ≤ 2.5×)`, r.healthzMs <= 2.5 * floor.healthzMs);
    check(`${r.name}: /readyz 200 ${r.readyzMs.toFixed(1)} ms after spawn (target ≤ ${TARGET.readyzMs} ms)`, r.readyzMs <= TARGET.readyzMs);
    check(`${r.name}: idle RSS ${r.idleRssMb.toFixed(1)} MB (target ≤ ${TARGET.idleRssMb} MB)`, r.idleRssMb <= TARGET.idleRssMb);
    check(`${r.name}: RSS after ${REQUESTS} requests ${r.loadedRssMb.toFixed(1)} MB (target ≤ ${TARGET.loadedRssMb} MB)`, r.loadedRssMb <= TARGET.loadedRssMb);
    if (r.loadFailures > 0) check(`${r.name}: every load request answered 200 (${r.loadFailures} did not)`, false);
  }
  console.log(`\nreproduce: npm run bench:startup -- --runs ${RUNS} --requests ${REQUESTS}${args.only ? ` --only ${args.only}` : ""}`);
  return ok;
}

try {
  if (!args["no-build"]) {
    log("compiling the services (bun run build)");
    const r = await runChild([BUN, "scripts/build.ts"], { timeoutMs: 600_000, cwd: ROOT });
    if (r.code !== 0) throw new Error(`bun run build failed:\n${r.stdout}\n${r.stderr}`);
  }
  log("compiling the hello-world floor and the library floor");
  const hello = await helloWorld();
  const { list, cleanup } = await targets(hello, await libraryFloor());
  let rows: Row[] = [];
  try {
    rows = await measureAll(list);
  } finally {
    await cleanup();
  }
  process.exit(report(rows) ? 0 : 1);
} catch (err) {
  killAllChildren();
  console.error(`bench:startup failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(2);
}
