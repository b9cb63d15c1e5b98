// The hot path for the plain OIP infer call: the same checks, call and answer as the Hono route, without its middleware chain.
//
// Like the gateway's proxy path, it exists because the chain costs more than everything else the service does per call
// (measured with bench:inference's CPU per request). It takes only requests the Hono route would accept as they are:
// POST, no query, a JSON content type, a declared length within the model's cap, a valid token with the scope, a
// registered OIP model, a body the schema accepts. Anything else, and every request while tracing is on, goes to the
// Hono app, which answers it as before (its problem, its span); a body already read is handed over with the request.

import type { InternalTokenVerifier } from "../../../lib/auth/internal-token.ts";
import { bearerJwt } from "../../../lib/auth/middleware.ts";
import { hasScope } from "../../../lib/auth/principal.ts";
import { problemForError } from "../../../lib/http/error-handler.ts";
import type { HttpMetricFamilies } from "../../../lib/http/http-metrics.ts";
import { jsonContentTypeProblem } from "../../../lib/http/json-media-type.ts";
import { requestIdFrom } from "../../../lib/http/request-context.ts";
import type { Fields, Logger } from "../../../lib/logging/logger.ts";
import { continueTrace, formatTraceparent } from "../../../lib/telemetry/trace-context.ts";
import type { Pools } from "../backends/pool.ts";
import type { CallDeps } from "../forward/model-call.ts";
import { checkElements, forwardInfer } from "../oip/handlers.ts";
import { InferRequest } from "../oip/schemas.ts";
import type { CallRequest } from "./call-request.ts";

export interface HotInferDeps {
  pools: Pools;
  verifyToken: InternalTokenVerifier;
  call: CallDeps;
  log: Logger;
  http: HttpMetricFamilies;
  /** The Hono app: every request the hot path does not take. */
  fallback(req: Request): Response | Promise<Response>;
}

const PREFIX = "/v1/models/";
const SUFFIX = "/infer";
/** The Hono route's template: the same http_* series and access-log route for both paths. */
const ROUTE = "/v1/models/:model/infer";
const JSON_TYPES = ["application/json"];

/** Returns the answer for a request it takes, undefined for one the Hono app must see as it came. */
export function createHotInfer(deps: HotInferDeps): (req: Request) => Promise<Response> | undefined {
  const { pools, log } = deps;
  const series = deps.http.route("POST", ROUTE);
  const decoder = new TextDecoder();

  const take = async (req: Request, path: string, model: string, token: string): Promise<Response> => {
    const started = performance.now();
    const pool = pools.get(model);
    const principal = await deps.verifyToken(token).catch(() => undefined);
    if (pool === undefined || principal === undefined || !hasScope(principal, "inference:invoke")) return deps.fallback(req);
    const bytes = new Uint8Array(await req.arrayBuffer());
    const text = decoder.decode(bytes);
    let parsed: ReturnType<typeof InferRequest.safeParse> | undefined;
    try {
      parsed = InferRequest.safeParse(JSON.parse(text));
    } catch {
      parsed = undefined;
    }
    if (bytes.byteLength > pool.spec.limits.maxRequestBytes || !parsed?.success) {
      // The Hono route answers with its problem; the body is read, so it travels with a copy of the request.
      return deps.fallback(new Request(req.url, { method: req.method, headers: req.headers, body: bytes, signal: req.signal }));
    }

    const h = req.headers;
    const requestId = requestIdFrom(h.get("x-request-id") ?? undefined);
    const trace = continueTrace(h.get("traceparent"), h.get("tracestate"));
    let logFields: Fields | undefined;
    let deferred: Promise<void> | undefined;
    const r: CallRequest = {
      signal: req.signal,
      requestId,
      traceparent: formatTraceparent(trace),
      addLogFields: (fields) => {
        logFields = logFields ? Object.assign(logFields, fields) : { ...fields };
      },
      deferLogLine: () => {
        let done!: () => void;
        deferred = new Promise<void>((resolve) => (done = resolve));
        return (fields) => {
          if (fields) r.addLogFields(fields);
          done();
        };
      },
    };
    deps.http.inFlight.inc();
    let res: Response;
    try {
      checkElements(pool, parsed.data.inputs);
      res = await forwardInfer(deps.call, r, pool, text, parsed.data.id);
    } catch (err) {
      res = problemForError(err, { requestId, instance: path, log: log.child({ request_id: requestId, trace_id: trace.traceId, span_id: trace.spanId }) });
    }
    deps.http.inFlight.dec();
    const seconds = (performance.now() - started) / 1000;
    series.duration.observe(seconds);
    series.status(res.status).inc();
    // The line the access-log middleware writes for the Hono route, field for field.
    const level = res.status >= 500 ? "error" : "info";
    if (log.enabled(level)) {
      const write = () =>
        log[level]("request", {
          request_id: requestId,
          trace_id: trace.traceId,
          span_id: trace.spanId,
          method: "POST",
          route: ROUTE,
          status: res.status,
          duration_ms: Math.round((performance.now() - started) * 1000) / 1000,
          ...logFields,
        });
      if (deferred) void deferred.then(write);
      else write();
    }
    return res;
  };

  return (req) => {
    if (req.method !== "POST") return undefined;
    // The path cut out of the absolute URL by hand (cheaper than new URL()); a query string sends it to the Hono route.
    const url = req.url;
    const start = url.indexOf("/", url.indexOf("//") + 2);
    if (!url.startsWith(PREFIX, start) || !url.endsWith(SUFFIX) || url.includes("?", start)) return undefined;
    const model = url.slice(start + PREFIX.length, url.length - SUFFIX.length);
    if (model.includes("/") || pools.get(model)?.spec.protocol !== "oip-v2") return undefined;
    const h = req.headers;
    const type = h.get("content-type");
    if (type === null || jsonContentTypeProblem(type, JSON_TYPES) !== undefined) return undefined;
    const declared = Number(h.get("content-length") ?? Number.NaN);
    if (!(declared <= (pools.get(model)?.spec.limits.maxRequestBytes ?? 0))) return undefined;
    const token = bearerJwt(h.get("authorization"));
    if (token === undefined) return undefined;
    return take(req, url.slice(start), model, token);
  };
}
