// Per-request glue shared by the routes: the stats record, the fault that applies, and JSON answers that honour it.
import type { Context, MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import type { RequestRecord, Stats } from "./control/stats.ts";
import { answerBefore, chunkedBody, type ErrorBody, needsChunkedBody } from "./faults/answer.ts";
import { BadFaultError, type Fault, type Faults, type FaultTarget } from "./faults/faults.ts";

export type ServerEnv = { Variables: { rec: RequestRecord } };

/** What every route module shares: the stats and the fault modes. */
export interface ServerDeps {
  stats: Stats;
  faults: Faults;
}

/** Opens a stats record per request (not for /_control), notes the client's abort, and closes it with the answer. */
export function trackRequests(stats: Stats): MiddlewareHandler<ServerEnv> {
  return async (c, next) => {
    const rec = stats.start(c.req.method, c.req.path, routePath(c, -1), c.req.raw.headers);
    c.set("rec", rec);
    c.req.raw.signal.addEventListener("abort", () => stats.abort(rec), { once: true });
    await next();
    rec.status = c.res.status;
    // A streamed body (chunksSentAt set) closes the record itself when its last chunk is out.
    if (!rec.chunksSentAt) stats.end(rec);
  };
}

/** The fault for this request, or a 400 answer when its fault headers are malformed. */
export function faultFor(c: Context<ServerEnv>, deps: ServerDeps, target: FaultTarget, errorBody: ErrorBody): Fault | Response | undefined {
  const rec = c.get("rec");
  if (target.model !== undefined) deps.stats.model(rec, target.model);
  try {
    const fault = deps.faults.resolve(c.req.raw.headers, target);
    if (fault) rec.fault = fault.fault;
    return fault;
  } catch (err) {
    if (!(err instanceof BadFaultError)) throw err;
    return Response.json(errorBody(`bad fault headers: ${err.message}`, 400), { status: 400 });
  }
}

/** A JSON answer; under a body fault (slow-first-byte, stall, die) sent as two halves through chunkedBody. */
export function jsonAnswer(c: Context<ServerEnv>, stats: Stats, body: unknown, status: number, fault?: Fault): Response {
  const headers = { "content-type": "application/json" };
  if (!needsChunkedBody(fault)) return new Response(JSON.stringify(body), { status, headers });
  const bytes = new TextEncoder().encode(JSON.stringify(body));
  const half = Math.ceil(bytes.length / 2);
  const halves = [bytes.subarray(0, half), bytes.subarray(half)].values();
  // A leading space is valid JSON: it lets the headers out before the delayed body.
  return new Response(chunkedBody(halves, { gapMs: 0, fault, prefix: " ", stats, rec: c.get("rec") }), { status, headers });
}

/**
 * The fault gate every route passes: the answer a fault puts in place of the route's own (an error, a redirect,
 * a hang or delay ended by the client's abort), else the fault the route's body must still carry out.
 */
export async function passFault(
  c: Context<ServerEnv>,
  deps: ServerDeps,
  target: FaultTarget,
  errorBody: ErrorBody,
): Promise<{ answer: Response } | { fault: Fault | undefined }> {
  const fault = faultFor(c, deps, target, errorBody);
  if (fault instanceof Response) return { answer: fault };
  const answer = await answerBefore(fault, c.req.raw.signal, errorBody);
  return answer ? { answer } : { fault };
}
