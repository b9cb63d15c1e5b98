// The hot path for plain model calls: the same checks, call and answer as their Hono routes, without the middleware chain.
//
// Like the gateway's proxy path, it exists because the chain costs more than everything else the service does per call
// (bench:inference's CPU profile: about half of the service's own CPU per OIP infer call). It takes only requests the
// Hono route would accept as they are: POST, no query, a JSON content type, a declared length within the cap, a valid
// token with the scope, a body the route's schema accepts. Anything else, and every request while tracing is on, goes
// to the Hono app, which answers it as before (its problem, its span); a body already read is handed over with it.
import type { z } from "@hono/zod-openapi";
import type { InternalTokenVerifier } from "../../../lib/auth/internal-token.ts";
import { bearerJwt } from "../../../lib/auth/middleware.ts";
import { hasScope } from "../../../lib/auth/principal.ts";
import { problemForError } from "../../../lib/http/error-handler.ts";
import type { HttpMetricFamilies, RouteSeries } from "../../../lib/http/http-metrics.ts";
import { jsonContentTypeProblem } from "../../../lib/http/json-media-type.ts";
import { withOpenAiError } from "../../../lib/http/openai-error.ts";
import { requestIdFrom } from "../../../lib/http/request-id.ts";
import type { Fields, Logger } from "../../../lib/logging/logger.ts";
import { loggerRequestLine, type RequestLineWriter } from "../../../lib/logging/request-line.ts";
import { continueTrace, formatTraceparent } from "../../../lib/telemetry/trace-context.ts";
import type { CallRequest } from "./call-request.ts";

/** A validated request on its way to a model: the parsed body, the text it came as, its size, and the caller. */
export interface HotInput<T> {
  data: T;
  text: string;
  bytes: number;
  caller: string;
}

/** One request's route, once its path matched: the body cap, and what answers the call. */
export interface HotMatch<T> {
  limit: number;
  serve(r: CallRequest, input: HotInput<T>): Promise<Response>;
}

export interface HotRoute<T = unknown> {
  /** The Hono route's template: the same http_* series and access-log `route` on both paths. */
  template: string;
  /** The Hono route's body schema. */
  schema: z.ZodType<T>;
  /** A cheaper check of the common body: true only when the schema would accept the value and return it unchanged. */
  plain?(value: unknown): value is T;
  /** This route's match for a path, or undefined (not this route, or a case the Hono route answers). */
  match(path: string): HotMatch<T> | undefined;
  /** An OpenAI-compatible route: its problems carry OpenAI's `error` member too (lib/http/openai-error.ts). */
  openAi?: boolean;
}

export interface HotPathDeps {
  routes: readonly HotRoute[];
  verifyToken: InternalTokenVerifier;
  log: Logger;
  http: HttpMetricFamilies;
  /** The Hono app: every request the hot path does not take. */
  fallback(req: Request): Response | Promise<Response>;
  /** Writes the access line straight to the log sink (run.ts); log[level]("request", …) writes the same line otherwise. */
  accessLine?: RequestLineWriter;
}

const JSON_TYPES = ["application/json"];
const SCOPE = "inference:invoke";

/** Returns the answer for a request it takes, undefined for one the Hono app must see as it came. */
export function createHotPath(deps: HotPathDeps): (req: Request) => Promise<Response> | undefined {
  const { log } = deps;
  const accessLine = deps.accessLine ?? loggerRequestLine(log);
  const series = new Map<HotRoute, RouteSeries>(deps.routes.map((r) => [r, deps.http.route("POST", r.template)]));
  const decoder = new TextDecoder();

  const take = async (req: Request, path: string, route: HotRoute, match: HotMatch<unknown>, token: string): Promise<Response> => {
    const started = performance.now();
    const principal = await deps.verifyToken(token).catch(() => undefined);
    if (principal === undefined || !hasScope(principal, SCOPE)) return deps.fallback(req);
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = new Uint8Array(await req.arrayBuffer());
    } catch (err) {
      // The upload broke off (the client went away): answered as the Hono route would, never a rejection left to the runtime.
      return problemForError(err, { requestId: requestIdFrom(req.headers.get("x-request-id")), instance: path, log });
    }
    const text = decoder.decode(bytes);
    let parsed: { success: true; data: unknown } | { success: false } | undefined;
    try {
      const value: unknown = JSON.parse(text);
      parsed = route.plain?.(value) ? { success: true, data: value } : route.schema.safeParse(value);
    } catch {
      parsed = undefined;
    }
    if (bytes.byteLength > match.limit || !parsed?.success) {
      // The Hono route answers with its problem; the body is read, so it travels with a copy of the request.
      return deps.fallback(new Request(req.url, { method: req.method, headers: req.headers, body: bytes, signal: req.signal }));
    }

    const h = req.headers;
    const requestId = requestIdFrom(h.get("x-request-id"));
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
      res = await match.serve(r, { data: parsed.data, text, bytes: bytes.byteLength, caller: principal.subject });
    } catch (err) {
      res = problemForError(err, { requestId, instance: path, log: log.child({ request_id: requestId, trace_id: trace.traceId, span_id: trace.spanId }) });
      if (route.openAi) res = await withOpenAiError(res);
    }
    const answered = performance.now();
    const status = res.status;
    // The bookkeeping waits for the next turn of the event loop: by then the runtime has written the response this
    // function resolves with (in a minimal Bun.serve handler, a 3 ms task queued with setImmediate did not delay the
    // answer, one queued as a microtask did), so the caller no longer waits for metrics and the access line.
    setImmediate(() => {
      deps.http.inFlight.dec();
      const s = series.get(route) as RouteSeries;
      s.duration.observe((answered - started) / 1000);
      s.status(status).inc();
      // The line the access-log middleware writes for the Hono route, field for field (a stream's when it is over).
      const level = status >= 500 ? "error" : "info";
      if (!log.enabled(level)) return;
      const write = () =>
        accessLine(
          level,
          {
            requestId,
            traceId: trace.traceId,
            spanId: trace.spanId,
            method: "POST",
            route: route.template,
            status,
            durationMs: Math.round(((deferred ? performance.now() : answered) - started) * 1000) / 1000,
          },
          logFields,
        );
      if (deferred) void deferred.then(write);
      else write();
    });
    return res;
  };

  return (req) => {
    if (req.method !== "POST") return undefined;
    // The path cut out of the absolute URL by hand (cheaper than new URL()); a query string sends it to the Hono route.
    const url = req.url;
    const start = url.indexOf("/", url.indexOf("//") + 2);
    if (url.includes("?", start)) return undefined;
    const path = url.slice(start);
    let route: HotRoute | undefined;
    let match: HotMatch<unknown> | undefined;
    for (const r of deps.routes) {
      match = r.match(path);
      if (match) {
        route = r;
        break;
      }
    }
    if (route === undefined || match === undefined) return undefined;
    const h = req.headers;
    const type = h.get("content-type");
    if (type === null || jsonContentTypeProblem(type, JSON_TYPES) !== undefined) return undefined;
    const declared = Number(h.get("content-length") ?? Number.NaN);
    if (!(declared <= match.limit)) return undefined;
    const token = bearerJwt(h.get("authorization"));
    if (token === undefined) return undefined;
    return take(req, path, route, match, token);
  };
}
