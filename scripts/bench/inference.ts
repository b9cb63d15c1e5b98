// Benchmark: the inference service vs direct calls to the development model server vs a bare Bun fetch proxy, OIP infer and streams.
//
// Usage:  npm run bench:inference [-- flags]        (or: bun scripts/bench/inference.ts [flags])
//
//   --duration S     seconds of each measured c=32 wrk run; c=1 runs take half (default 10; env BENCH_DURATION)
//   --warmup S       seconds of warm-up before each measured wrk run (default 2; BENCH_WARMUP)
//   --rounds N       interleaved rounds; medians over rounds, percentiles over all samples (default 3; BENCH_ROUNDS)
//   --connections N  connections of the throughput runs (default 32; BENCH_CONNECTIONS)
//   --streams N      streamed chat calls per target and round (default 10; BENCH_STREAMS)
//   --chunks N       tokens per streamed reply (default 100; the stream has N + 4 events)
//   --cadence-ms MS  the model server's pause between stream events (default 10)
//   --stream-warmup N  short streamed calls per target before the first round, 8 at a time, not recorded (default
//                    3000): the chat path (its schema, usage tap, relay) runs only on streamed calls, and JavaScriptCore
//                    compiles a function to its optimizing tiers only after thousands of runs. After 100 calls the
//                    service's own work before the backend call was 0.39 ms (the sum of its steps' p50s), after 3,000
//                    0.20 ms (stage marks, 2-core machine); the targets are about a service in steady state. 0 measures
//                    from cold, as a freshly started replica answers
//   --compiled       run the inference service as a compiled executable (scripts/build.ts), as deployed, instead of
//                    `bun services/inference/main.ts`, and the bare proxy compiled the same way. Both, not the service
//                    alone: processes started from the same binary file share its code in memory and in the CPU's caches,
//                    and the client and the model server run from node_modules' bun. Run from a byte-for-byte copy of
//                    that file, the same source took 0.10 ms longer to the first event through the bare proxy and 0.18–0.21
//                    through the service; compiled, 0.05–0.08 and 0.09–0.18 (2-core machine, interleaved A/B). A compiled
//                    service against a bare proxy from source measures the file as well as the service
//   --keep           keep the temp folder (logs, the request body)
//
// Needs wrk on PATH (Debian: apt-get install -y wrk).
//
// What is compared, on loopback, all driven by the same wrk (1 thread) or the same client: the model server itself
// (direct: POST /v2/models/lang-id/infer, one short text through fastText), the inference service in front of it
// (POST /v1/models/lang-id/infer with an internal token: auth, validation of the tensors, limiter, balancing, breaker,
// time limits, metrics, an access line to a file at LOG_LEVEL=info as deployed), and a bare Bun.serve + fetch proxy
// (scripts/bench/gateway-bare-proxy.ts: the least any fetch-based proxy on Bun does, the runtime's ceiling), and for
// OIP infer only the same proxy reading bodies whole (its `whole` mode: on small bodies the cheaper way, the floor for
// the service's c=1 latency, which reads model calls whole too). Streams:
// echo-chat replies with include_usage, one call at a time, targets interleaved; each event's arrival at the client is
// set against the time the model server handed that event over (its /_control/stats), so the model server's own timer
// jitter cancels; "added" pairs the k-th event of the i-th call through a proxy with the same event of the i-th direct call.
// Each c=32 run also meters the CPU (user + system, from /proc) of the process answering wrk, per request: on a shared
// machine that figure moves much less than req/s does.
//
// It is a measurement, not a test: exit 0 whether or not targets are met, 1 when something broke, 2 when wrk is missing.
import { mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { generateDevKeyPair } from "../../lib/auth/dev-keys.ts";
import { createInternalTokenMinter } from "../../lib/auth/internal-token.ts";
import { createInternalTokenCache } from "../../services/gateway/auth/internal-tokens.ts";
import type { UserIdentity } from "../../services/gateway/auth/user-token.ts";
import { modelServerControl } from "../../tools/model-server/testing/start.ts";
import { compile } from "../build.ts";
import { devInferenceModels } from "../dev-models.ts";
import { report } from "./inference-report.ts";
import { figuresOf, type StreamFigures, type StreamRun, type StreamTarget, streamOnce } from "./inference-streams.ts";
import { freePort, killAllChildren, processCpuUs, runBench, startChild, waitFor } from "./proc.ts";
import { median, percentile } from "./quantiles.ts";
import { requestsPerSecond as rps, runWrk, type WrkResult } from "./wrk.ts";
import { positiveInt, WRK_FLAGS, wrkSettings } from "./wrk-settings.ts";

const ROOT = resolve(import.meta.dir, "../..");
const SCOPES: ReadonlySet<string> = new Set(["inference:invoke"]);
const INFER_BODY = JSON.stringify({ id: "bench", inputs: [{ name: "text", shape: [1], datatype: "BYTES", data: ["Bonjour tout le monde"] }] });

const { values: flags } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    ...WRK_FLAGS,
    streams: { type: "string" },
    chunks: { type: "string" },
    "cadence-ms": { type: "string" },
    "stream-warmup": { type: "string" },
    compiled: { type: "boolean" },
    keep: { type: "boolean" },
  },
});
const env = process.env;
const cfg = {
  ...wrkSettings(flags, env),
  streams: positiveInt(flags.streams ?? env.BENCH_STREAMS, 10),
  chunks: positiveInt(flags.chunks, 100),
  cadenceMs: positiveInt(flags["cadence-ms"], 10),
  streamWarmup: flags["stream-warmup"] === "0" ? 0 : positiveInt(flags["stream-warmup"], 3000),
};
const command = `npm run bench:inference -- --duration ${cfg.duration} --warmup ${cfg.warmup} --rounds ${cfg.rounds} --connections ${cfg.connections} --streams ${cfg.streams} --chunks ${cfg.chunks} --cadence-ms ${cfg.cadenceMs} --stream-warmup ${cfg.streamWarmup}${flags.compiled ? " --compiled" : ""}`;
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
const ms = (us: number) => (us / 1000).toFixed(3);

async function main(): Promise<number> {
  if (!Bun.which("wrk")) {
    console.error("missing tool: wrk (Debian: apt-get install -y wrk)");
    return 2;
  }
  const dir = mkdtempSync(join(tmpdir(), "bench-inference-"));
  const log = (name: string) => openSync(join(dir, name), "w");
  const bodyFile = join(dir, "infer.json");
  writeFileSync(bodyFile, INFER_BODY);
  try {
    console.log(`bench:inference: load average ${load()} (1, 5, 15 min) on ${navigator.hardwareConcurrency} cores; temp ${dir}`);
    const modelPort = freePort();
    const modelServer = startChild(
      [
        process.execPath,
        "tools/model-server/main.ts",
        "--port",
        String(modelPort),
        "--cadence-ms",
        String(cfg.cadenceMs),
        "--chunks",
        String(cfg.chunks),
        "--log-level",
        "warn",
      ],
      { env, cwd: ROOT, logFd: log("model-server.log") },
    );
    const direct = `http://127.0.0.1:${modelPort}`;
    await waitFor(`${direct}/_control`, "the model server", modelServer);
    console.log(`  model server up (${direct})`);

    let inferenceCmd = [process.execPath, "services/inference/main.ts"];
    if (flags.compiled) {
      const exe = join(dir, "inference");
      await compile("services/inference/main.ts", exe, { withEmbeddedDatabase: false });
      inferenceCmd = [exe];
    }
    const keys = await generateDevKeyPair("bench-inference");
    const inferencePort = freePort();
    const inference = startChild(inferenceCmd, {
      env: {
        ...env,
        PORT: String(inferencePort),
        INTERNAL_AUTH_JWKS: JSON.stringify(keys.jwks),
        INFERENCE_MODELS: JSON.stringify(devInferenceModels(direct)),
        LOG_LEVEL: "info",
        DRAIN_DELAY_MS: "0",
      },
      cwd: ROOT,
      logFd: log("inference.log"),
    });
    const viaInference = `http://127.0.0.1:${inferencePort}`;
    await waitFor(`${viaInference}/readyz`, "the inference service", inference);
    console.log(`  inference up (${viaInference}): ${inferenceCmd.length === 1 ? "compiled executable" : "bun services/inference/main.ts"}`);

    const barePort = freePort();
    let bareCmd = [process.execPath, join(import.meta.dir, "gateway-bare-proxy.ts")];
    if (flags.compiled) {
      const exe = join(dir, "bare-proxy");
      await compile(join(import.meta.dir, "gateway-bare-proxy.ts"), exe, { withEmbeddedDatabase: false });
      bareCmd = [exe];
    }
    const bare = startChild([...bareCmd, String(barePort), direct], {
      env,
      cwd: ROOT,
      logFd: log("bare-proxy.log"),
    });
    const viaBare = `http://127.0.0.1:${barePort}`;
    await waitFor(`${viaBare}/v2/health/ready`, "the bare proxy", bare);
    console.log(`  bare Bun fetch proxy up (${viaBare})${flags.compiled ? ": compiled executable" : ""}`);
    // The same proxy reading bodies whole (OIP infer only): the floor for the service's c=1 latency, see its header.
    const wholePort = freePort();
    const whole = startChild([...bareCmd, String(wholePort), direct, "whole"], { env, cwd: ROOT, logFd: log("whole-body-proxy.log") });
    const viaWhole = `http://127.0.0.1:${wholePort}`;
    await waitFor(`${viaWhole}/v2/health/ready`, "the whole-body proxy", whole);
    console.log(`  whole-body Bun fetch proxy up (${viaWhole}), OIP infer only${flags.compiled ? ": compiled executable" : ""}`);

    const mint = await createInternalTokenMinter(keys.privateJwk);
    // Handed out by the gateway's own internal-token cache: one token per caller, minted for 60 s and reused for 45, so
    // the service verifies it once and finds it in its cache on the calls after. A call with a token it has not seen
    // pays one ES256 verification on top (about 0.65 ms on a 2-core machine), once per caller per 45 s.
    const tokens = createInternalTokenCache({ mint });
    const caller: UserIdentity = { subject: "bench", scopes: SCOPES, expMs: Number.POSITIVE_INFINITY, internal: new Map() };
    const token = async () => tokens.tokenFor(caller, { name: "inference", scopes: SCOPES });
    const none = async () => undefined;
    const targets = [
      { name: "direct", base: direct, path: "/v2/models/lang-id/infer", token: none, pid: modelServer.pid },
      { name: "inference", base: viaInference, path: "/v1/models/lang-id/infer", token, pid: inference.pid },
      { name: "bare Bun fetch proxy", base: viaBare, path: "/v2/models/lang-id/infer", token: none, pid: bare.pid },
    ];
    // wrk's targets: the three above, then the whole-body proxy (it would hold a stream back until its end: no streams).
    const wrkTargets = [...targets, { name: "whole-body fetch proxy", base: viaWhole, path: "/v2/models/lang-id/infer", token: none, pid: whole.pid }];
    // Same answer everywhere, or the comparison means nothing.
    const answers = await Promise.all(
      wrkTargets.map(async (t) => {
        const auth = await t.token();
        const res = await fetch(`${t.base}${t.path}`, {
          method: "POST",
          headers: { "content-type": "application/json", ...(auth ? { authorization: `Bearer ${auth}` } : {}) },
          body: INFER_BODY,
        });
        if (res.status !== 200) throw new Error(`${t.name} answered ${res.status}: ${await res.text()}`);
        return JSON.stringify((await res.json()).outputs);
      }),
    );
    if (new Set(answers).size !== 1) throw new Error(`the targets answer differently: ${answers.join(" | ")}`);

    const chatBody = JSON.stringify({
      model: "echo-chat",
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: cfg.chunks,
      messages: [{ role: "user", content: "Streams pass through the inference service unbuffered, chunk by chunk." }],
    });
    const streamTargets: StreamTarget[] = targets.map((t) => ({ name: t.name, base: t.base, token: t.token }));
    const control = modelServerControl(direct);

    console.log(
      `OIP infer (lang-id, 1 text): wrk -t1 c=${cfg.connections} ${cfg.duration} s and c=1 ${Math.max(1, cfg.duration >> 1)} s per round, ${cfg.warmup} s warm-up; ` +
        `streams: ${cfg.streams} per target and round, ${cfg.chunks} tokens at ${cfg.cadenceMs} ms; ${cfg.rounds} interleaved rounds`,
    );
    if (cfg.streamWarmup > 0) {
      // Short (2-token) calls: they run the same stream path as the measured ones, in a fraction of the time.
      const short = JSON.stringify({ ...JSON.parse(chatBody), max_tokens: 2 });
      for (const [i, t] of streamTargets.entries()) {
        const started = performance.now();
        let next = 0;
        await Promise.all(
          Array.from({ length: 8 }, async () => {
            for (let w = next++; w < cfg.streamWarmup; w = next++) await streamOnce(t, short, `warmup-${w}-t${i}`, 2);
          }),
        );
        console.log(
          `  stream warm-up via ${t.name}: ${cfg.streamWarmup} short streamed calls, 8 at a time, in ${((performance.now() - started) / 1000).toFixed(1)} s (not recorded)`,
        );
      }
    }
    const wrkResults = wrkTargets.map(() => ({ many: [] as WrkResult[], one: [] as WrkResult[] }));
    const streamResults = targets.map(() => [] as StreamFigures[]);
    // CPU of the process answering each stream (the model server itself for direct), per event: like CPU per request
    // for wrk, it moves much less with a shared machine's noise than the delays do.
    const streamCpu = targets.map(() => ({ us: 0, events: 0 }));
    for (let round = 0; round < cfg.rounds; round++) {
      for (let k = 0; k < wrkTargets.length; k++) {
        const i = (k + round) % wrkTargets.length; // rotate the order so no target always runs first or last
        const t = wrkTargets[i] as (typeof wrkTargets)[number];
        const args = async () => [(await t.token()) ?? "-", t.path, bodyFile];
        await runWrk(t.base, cfg.connections, cfg.warmup, await args());
        // CPU per request of the process answering wrk (the model server itself for direct): less load-sensitive than req/s.
        const cpu0 = processCpuUs(t.pid);
        const many = await runWrk(t.base, cfg.connections, cfg.duration, await args());
        many.cpu_us_per_request = (processCpuUs(t.pid) - cpu0) / many.requests;
        const one = await runWrk(t.base, 1, Math.max(1, cfg.duration >> 1), await args());
        wrkResults[i]?.many.push(many);
        wrkResults[i]?.one.push(one);
        console.log(
          `  round ${round + 1} ${t.name.padEnd(22)} c=${cfg.connections}: ${rps(many).toFixed(0).padStart(6)} req/s p50 ${ms(many.p50_us)} p99 ${ms(many.p99_us)} ms, ${many.cpu_us_per_request?.toFixed(0)} µs CPU/req | c=1: p50 ${ms(one.p50_us)} p99 ${ms(one.p99_us)} ms`,
        );
      }
      // A few unrecorded calls first: the first streams of a process pay for compiling its stream path.
      for (let w = 0; w < 3; w++) for (const [i, t] of streamTargets.entries()) await streamOnce(t, chatBody, `warm-r${round}-${w}-t${i}`, cfg.chunks);
      await control.resetStats();
      const runs = targets.map(() => [] as StreamRun[]);
      for (let s = 0; s < cfg.streams; s++)
        for (let k = 0; k < targets.length; k++) {
          const i = (k + s + round) % targets.length;
          const pid = targets[i]?.pid as number;
          const cpu0 = processCpuUs(pid);
          const run = await streamOnce(streamTargets[i] as StreamTarget, chatBody, `bench-r${round}-s${s}-t${i}`, cfg.chunks);
          const cpu = streamCpu[i] as (typeof streamCpu)[number];
          cpu.us += processCpuUs(pid) - cpu0;
          cpu.events += run.arrivals.length;
          runs[i]?.push(run);
        }
      const stats = await control.stats();
      runs.forEach((r, i) => {
        const f = figuresOf(r, stats);
        streamResults[i]?.push(...f);
        const delays = f.flatMap((x) => x.delays);
        console.log(
          `  round ${round + 1} streams via ${targets[i]?.name.padEnd(22)} first event p50 ${median(f.map((x) => x.ttfe)).toFixed(3)} ms; event delay p50 ${percentile(delays, 0.5).toFixed(3)} p99 ${percentile(delays, 0.99).toFixed(3)} ms`,
        );
      });
    }
    report(
      cfg.connections,
      wrkResults,
      streamResults,
      streamCpu.map((c) => c.us / c.events),
    );
    console.log(`load average at the end: ${load()}`);
    console.log(`reproduce: ${command}`);
    for (const p of [whole, bare, inference, modelServer]) p.kill("SIGTERM");
    await Promise.all([whole, bare, inference, modelServer].map((p) => p.exited));
    return 0;
  } finally {
    killAllChildren();
    if (!flags.keep) rmSync(dir, { recursive: true, force: true });
  }
}

runBench("bench:inference", main);
