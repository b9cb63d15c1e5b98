// Client spans for an upstream client: one per send() (retries included), named "METHOD /route/template".
import { withClientSpan } from "../../telemetry/http-spans.ts";
import type { Tracing } from "../../telemetry/tracer.ts";

/** What a client span needs of a request (UpstreamRequest has it). */
export interface SpannedRequest {
  method: string;
  /** Path and query, appended to the base URL. */
  target: string;
  headers: Headers;
  route?: string;
}

/** `send` with a span around every call; createUpstreamClient applies it when its tracing is on. */
export function withClientSpans<R extends SpannedRequest>(
  send: (req: R) => Promise<Response>,
  baseUrl: string,
  tracing: Tracing,
): (req: R) => Promise<Response> {
  return (req) => withClientSpan(tracing.tracer, { method: req.method, url: baseUrl + req.target, route: req.route, headers: req.headers }, () => send(req));
}
