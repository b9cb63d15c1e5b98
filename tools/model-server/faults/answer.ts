// Carries out a fault: the ones that replace or delay the answer, and the body that stalls, dies or starts late.
import type { RequestRecord, Stats } from "../control/stats.ts";
import { now } from "../control/stats.ts";
import type { Fault } from "./faults.ts";

/** Builds the protocol's error body (OIP: {"error": "..."}, OpenAI: {"error": {message, type, code}}). */
export type ErrorBody = (message: string, status: number) => unknown;

const json = (body: unknown, status: number, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });

/** Resolves after `ms`, or early (false) when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      resolve(ok);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

// What a handler returns once the client is gone: nobody receives it.
const gone = () => new Response(null, { status: 499 });

/**
 * The faults acting before the answer: a replacement answer, a delay, or a wait that only the client's abort
 * ends. Returns undefined when the handler should answer (possibly through `faultyBody`).
 */
export async function answerBefore(fault: Fault | undefined, signal: AbortSignal, errorBody: ErrorBody): Promise<Response | undefined> {
  switch (fault?.fault) {
    case undefined:
      return undefined;
    case "fail": {
      const status = fault.status ?? 500;
      return json(errorBody("injected failure (x-model-server-fault: fail)", status), status);
    }
    case "unavailable":
      return json(errorBody("injected unavailability (x-model-server-fault: unavailable)", 503), 503, { "retry-after": String(fault.retryAfter) });
    case "not-ready":
      return json(errorBody("not ready (injected)", 503), 503);
    case "redirect":
      return new Response(null, { status: fault.status ?? 302, headers: { location: fault.location } });
    case "hang":
      await sleep(2 ** 31 - 1, signal);
      return gone();
    case "slow":
      return (await sleep(fault.delayMs, signal)) ? undefined : gone();
    default:
      return undefined;
  }
}

export interface BodyOptions {
  /** Pause before every chunk but the first (the chat cadence); 0 sends them as fast as the client reads. */
  gapMs: number;
  fault?: Fault | undefined;
  /** For slow-first-byte: sent at once so the headers go out (Bun holds them back until the body has a byte). */
  prefix: string;
  stats: Stats;
  rec: RequestRecord;
}

/** die: how long after the last chunk the connection is reset. */
const DIE_AFTER_MS = 10;

/** True when the fault needs the body sent as a stream of chunks (else a plain body will do). */
export const needsChunkedBody = (fault: Fault | undefined) => fault?.fault === "slow-first-byte" || fault?.fault === "stall" || fault?.fault === "die";

/**
 * A body that sends `chunks` one by one at the cadence, carrying out slow-first-byte, stall (send nothing more,
 * keep the connection) and die (destroy the connection) after `afterChunks`; records sends, the end and aborts.
 */
export function chunkedBody(chunks: Iterator<string | Uint8Array>, o: BodyOptions): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  const cancelled = new AbortController();
  const sentAt: number[] = [];
  o.rec.chunksSentAt = sentAt;
  const fault = o.fault?.fault;
  const stopAt = fault === "stall" || fault === "die" ? (o.fault?.afterChunks ?? 0) : Number.POSITIVE_INFINITY;
  let prefixed = fault !== "slow-first-byte";
  let started = 0;
  let next = chunks.next();
  return new ReadableStream<Uint8Array>(
    {
      async pull(c) {
        if (!prefixed) {
          prefixed = true;
          c.enqueue(enc.encode(o.prefix));
          return;
        }
        const i = sentAt.length;
        // Scheduled from the first chunk, so the cadence does not drift over thousands of chunks.
        const wait = i === 0 ? (fault === "slow-first-byte" ? (o.fault?.delayMs ?? 0) : 0) : started + i * o.gapMs - now();
        if (wait > 0 && !(await sleep(wait, cancelled.signal))) return;
        if (i === stopAt) {
          // die: the connection is reset (the server ended it); stall: nothing more, the connection kept open until
          // the client leaves, which then counts as an abort.
          if (fault === "die") {
            // A moment first, so the chunks already sent (and the headers) reach the client before the reset.
            if (!(await sleep(DIE_AFTER_MS, cancelled.signal))) return;
            o.stats.end(o.rec);
            c.error(undefined);
          } else await sleep(2 ** 31 - 1, cancelled.signal);
          return;
        }
        if (next.done) {
          c.close();
          o.stats.end(o.rec);
          return;
        }
        if (i === 0) started = now();
        const chunk = next.value as string | Uint8Array;
        c.enqueue(typeof chunk === "string" ? enc.encode(chunk) : chunk);
        sentAt.push(now());
        next = chunks.next();
        if (next.done && sentAt.length !== stopAt) {
          c.close();
          o.stats.end(o.rec);
        }
      },
      cancel() {
        cancelled.abort();
        o.stats.abort(o.rec);
      },
    },
    { highWaterMark: 0 },
  );
}
