// bench:inference's stream measurement: streamed chat calls direct and through proxies, each event's delay against the model server's send time.
import type { RequestRecord, StatsSnapshot } from "../../tools/model-server/control/stats.ts";
import { now } from "../../tools/model-server/control/stats.ts";
import { readSse } from "../../tools/model-server/testing/sse.ts";

export interface StreamTarget {
  name: string;
  /** Origin the chat completion is posted to (model server, inference, bare proxy). */
  base: string;
  /** The bearer token for the call (internal tokens live ≤ 60 s), or undefined for none. */
  token: () => Promise<string | undefined>;
}

/** One streamed call as the client saw it: when it was sent, when each event arrived (epoch ms, the model server's clock). */
export interface StreamRun {
  requestId: string;
  sentAt: number;
  arrivals: number[];
}

/** Per event: arrival at the client − hand-over at the model server; the first one also gives the time to first event. */
export interface StreamFigures {
  /** Request sent → first event arrived, ms. */
  ttfe: number;
  /** Request sent → the model server began handling it, ms: the request's way in (the rest of ttfe is the way back). */
  toBackend: number;
  /** Arrival − the model server's send time of the same event, ms, one per event. */
  delays: number[];
}

/** `chunks`: the tokens the reply must have (the model server is started with --chunks; max_tokens may cut it). */
export async function streamOnce(target: StreamTarget, body: string, requestId: string, chunks: number): Promise<StreamRun> {
  const token = await target.token();
  const headers: Record<string, string> = { "content-type": "application/json", "x-request-id": requestId };
  if (token) headers.authorization = `Bearer ${token}`;
  const sentAt = now();
  const res = await fetch(`${target.base}/v1/chat/completions`, { method: "POST", headers, body });
  if (res.status !== 200) throw new Error(`${target.name}: stream answered ${res.status}: ${await res.text()}`);
  const events = await readSse(res);
  if (events.at(-1)?.data !== "[DONE]") throw new Error(`${target.name}: the stream did not end in [DONE]`);
  // role chunk + one per token + finish chunk + usage chunk + [DONE].
  if (events.length !== chunks + 4) throw new Error(`${target.name}: the stream has ${events.length} events, not ${chunks + 4}`);
  return { requestId, sentAt, arrivals: events.map((e) => e.at) };
}

/** Matches runs with the model server's records (by X-Request-ID) and computes each run's figures. */
export function figuresOf(runs: StreamRun[], stats: StatsSnapshot): StreamFigures[] {
  const byId = new Map<string, RequestRecord>();
  for (const r of stats.recent) if (r.headers["x-request-id"]) byId.set(r.headers["x-request-id"], r);
  return runs.map((run) => {
    const record = byId.get(run.requestId);
    const sent = record?.chunksSentAt;
    // The model server sends the [DONE] line as an event of its own, so counts match one to one.
    if (!sent || sent.length !== run.arrivals.length)
      throw new Error(`stream ${run.requestId}: the model server recorded ${sent?.length ?? "no"} chunks, the client read ${run.arrivals.length} events`);
    return {
      ttfe: (run.arrivals[0] as number) - run.sentAt,
      toBackend: (record?.startedAt as number) - run.sentAt,
      delays: run.arrivals.map((at, i) => at - (sent[i] as number)),
    };
  });
}

/**
 * Added delay per event of `via` over `direct`, paired run by run and event by event (run i of each, same body):
 * (arrival − send) through the proxy − (arrival − send) direct. Send times cancel the model server's own timer jitter.
 */
export function addedPerEvent(direct: StreamFigures[], via: StreamFigures[], only?: (k: number, n: number) => boolean): number[] {
  const added: number[] = [];
  direct.forEach((d, i) => {
    const v = via[i];
    if (!v) return;
    const n = Math.min(d.delays.length, v.delays.length);
    for (let k = 0; k < n; k++) if (!only || only(k, n)) added.push((v.delays[k] as number) - (d.delays[k] as number));
  });
  return added;
}

/** Added time to first event, run by run (or of one part of it: `toBackend`). */
export const addedTtfe = (direct: StreamFigures[], via: StreamFigures[], part: "ttfe" | "toBackend" = "ttfe"): number[] =>
  direct.flatMap((d, i) => (via[i] ? [(via[i] as StreamFigures)[part] - d[part]] : []));
