// bench:inference's summary: medians over rounds, the issue 15 targets with PASS/FAIL, the bare proxy's figures for scale.
import { addedPerEvent, addedTtfe, type StreamFigures } from "./inference-streams.ts";
import { median, percentile } from "./quantiles.ts";
import { requestsPerSecond as rps, type WrkResult } from "./wrk.ts";

/** Issue 15's targets on this 2-core machine. */
export const TARGETS = { addedP50Ms: 0.2, ratio: 0.6, addedTtftMs: 1, addedChunkP99Ms: 1 };

const ms = (us: number) => (us / 1000).toFixed(3);
const verdict = (ok: boolean) => (ok ? "PASS" : "FAIL");

/**
 * Prints the table (direct, inference, bare proxy: in that order in `wrk` and `streams`; `wrk` has the whole-body proxy
 * fourth), the targets and the per-round figures.
 */
export function report(
  connections: number,
  wrk: { many: WrkResult[]; one: WrkResult[] }[],
  streams: StreamFigures[][],
  /** CPU µs per streamed event of the process answering each target (same order). */
  streamCpuUs: number[],
): void {
  const names = ["direct", "inference", "bare Bun fetch proxy", "whole-body fetch proxy"];
  const s = wrk.map((r) => ({
    rps: median(r.many.map(rps)),
    p50: median(r.many.map((w) => w.p50_us)),
    p99: median(r.many.map((w) => w.p99_us)),
    p50one: median(r.one.map((w) => w.p50_us)),
    p99one: median(r.one.map((w) => w.p99_us)),
    cpu: median(r.many.map((w) => w.cpu_us_per_request ?? Number.NaN)),
  }));
  console.log(
    `\n${"".padEnd(22)} ${`c=${connections} req/s`.padStart(12)} ${"p50 ms".padStart(8)} ${"p99 ms".padStart(8)} | ${"c=1 p50".padStart(8)} ${"p99 ms".padStart(8)} | ${"CPU µs/req".padStart(10)}`,
  );
  names.forEach((n, i) => {
    const x = s[i] as (typeof s)[number];
    console.log(
      `${n.padEnd(22)} ${x.rps.toFixed(0).padStart(12)} ${ms(x.p50).padStart(8)} ${ms(x.p99).padStart(8)} | ${ms(x.p50one).padStart(8)} ${ms(x.p99one).padStart(8)} | ${x.cpu.toFixed(0).padStart(10)}`,
    );
  });
  const [d, inf, bare, whole] = s as [(typeof s)[0], (typeof s)[0], (typeof s)[0], (typeof s)[0]];
  const [sd, si, sb] = streams as [StreamFigures[], StreamFigures[], StreamFigures[]];
  const added = (inf.p50one - d.p50one) / 1000;
  const ratio = inf.rps / bare.rps;
  const ttft = addedTtfe(sd, si);
  const perEvent = addedPerEvent(sd, si);
  const [ttftP50, eventP50, eventP99] = [percentile(ttft, 0.5), percentile(perEvent, 0.5), percentile(perEvent, 0.99)];
  console.log("");
  console.log(
    `inference added p50 at c=1:       +${added.toFixed(3)} ms over direct (target ≤ ${TARGETS.addedP50Ms} ms)  ${verdict(added <= TARGETS.addedP50Ms)}`,
  );
  console.log(`inference / bare proxy, c=${connections}:    ${ratio.toFixed(2)} (target ≥ ${TARGETS.ratio})  ${verdict(ratio >= TARGETS.ratio)}`);
  console.log(
    `added time to first event (p50):  +${ttftP50.toFixed(3)} ms over direct (target ≤ ${TARGETS.addedTtftMs} ms)  ${verdict(ttftP50 <= TARGETS.addedTtftMs)}`,
  );
  console.log(
    `added delay per stream event:     p50 ${eventP50.toFixed(3)} ms, p99 ${eventP99.toFixed(3)} ms over ${perEvent.length} events (target p99 ≤ ${TARGETS.addedChunkP99Ms} ms)  ${verdict(eventP99 <= TARGETS.addedChunkP99Ms)}`,
  );
  console.log(
    `for scale: bare proxy added p50 at c=1 +${((bare.p50one - d.p50one) / 1000).toFixed(3)} ms; bare / direct c=${connections} ${(bare.rps / d.rps).toFixed(2)}; inference / direct ${(inf.rps / d.rps).toFixed(2)}; ` +
      `bare proxy added first event p50 +${percentile(addedTtfe(sd, sb), 0.5).toFixed(3)} ms, per event p50 ${percentile(addedPerEvent(sd, sb), 0.5).toFixed(3)} p99 ${percentile(addedPerEvent(sd, sb), 0.99).toFixed(3)} ms; added first event p99 via inference +${percentile(ttft, 0.99).toFixed(3)} ms`,
  );
  // The floor for c=1: a proxy that reads bodies whole, as the service does, and nothing else.
  const wholeAdded = (whole.p50one - d.p50one) / 1000;
  console.log(
    `floor for c=1: the whole-body fetch proxy added p50 +${wholeAdded.toFixed(3)} ms; the service's own share at c=1 +${(added - wholeAdded).toFixed(3)} ms; ` +
      `inference / whole-body proxy, c=${connections}: ${(inf.rps / whole.rps).toFixed(2)} (the target is judged against the streaming bare proxy, as at earlier stops)`,
  );
  // Where in a stream the added delay falls: the first event waits for the response head, the last ones for the stream's end.
  const at = (name: string, only: (k: number, n: number) => boolean) => {
    const a = addedPerEvent(sd, si, only);
    return `${name} p50 ${percentile(a, 0.5).toFixed(3)} p99 ${percentile(a, 0.99).toFixed(3)} max ${Math.max(...a).toFixed(3)} (${a.length})`;
  };
  const ttfeParts = (via: StreamFigures[]) => {
    const inward = percentile(addedTtfe(sd, via, "toBackend"), 0.5);
    return `in (until the model server has the request) +${inward.toFixed(3)}, back (the first event's delay) +${percentile(
      addedPerEvent(sd, via, (k) => k === 0),
      0.5,
    ).toFixed(3)}`;
  };
  console.log(`added time to first event, p50 of its parts (ms): inference ${ttfeParts(si)}; bare proxy ${ttfeParts(sb)}`);
  console.log(
    `added per event via inference by position: ${at("first", (k) => k === 0)}; ${at("second", (k) => k === 1)}; ${at("others", (k, n) => k > 1 && k < n - 2)}; ${at("last two", (k, n) => k >= n - 2)} ms`,
  );
  // Events the client got more than 2 ms after the model server sent them, per target: when direct calls have many, the
  // machine's scheduling sets the per-event p99 of every target, and the 1 ms target cannot be judged on it.
  const late = (f: StreamFigures[]) => f.flatMap((x) => x.delays).filter((d) => d > 2).length;
  console.log(
    `events later than 2 ms after the model server sent them: direct ${late(sd)}, inference ${late(si)}, bare proxy ${late(sb)} (of ${sd.flatMap((x) => x.delays).length} each)`,
  );
  const [cd, ci, cb] = streamCpuUs.map((us) => us.toFixed(1));
  console.log(
    `CPU per streamed event of the process answering: inference ${ci} µs, bare proxy ${cb} µs (${((streamCpuUs[1] as number) / (streamCpuUs[2] as number)).toFixed(2)}×); the model server itself (direct) ${cd} µs`,
  );
  const [wd, wi, wb, ww] = wrk as [(typeof wrk)[0], (typeof wrk)[0], (typeof wrk)[0], (typeof wrk)[0]];
  const ratios = wi.many.map((w, r) => (rps(w) / rps(wb.many[r] as WrkResult)).toFixed(2));
  const addedRounds = (via: WrkResult[]) => via.map((w, r) => ((w.p50_us - (wd.one[r] as WrkResult).p50_us) / 1000).toFixed(3)).join(", ");
  // The bare proxy's own c=1 figure per round beside the service's: when it is at the target already, the machine, not
  // the service, decides the verdict of that round.
  console.log(
    `per round: inference / bare proxy ${ratios.join(", ")}; added p50 at c=1: inference ${addedRounds(wi.one)} ms, bare proxy ${addedRounds(wb.one)} ms, whole-body proxy ${addedRounds(ww.one)} ms`,
  );
}
