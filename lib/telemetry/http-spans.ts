// HTTP server and client spans (Bun.serve and fetch are not auto-instrumented): named "METHOD /route/template".
import { type Context, type Span, SpanKind, SpanStatusCode, type Tracer, trace } from "@opentelemetry/api";
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_FULL,
  ATTR_URL_PATH,
} from "@opentelemetry/semantic-conventions";
import { type Carrier, extractContext, failSpan, injectSpan, traceContextOf } from "./spans.ts";
import type { TraceContext } from "./trace-context.ts";

export interface ServerSpan {
  span: Span;
  /** The context to run the handler in (the span active). */
  context: Context;
  /** The span's ids (for logs and the outbox); the caller's span as parent when a traceparent came in. */
  trace: TraceContext;
}

/** Starts the server span of one request, continuing the caller's trace from its traceparent header. */
export function startServerSpan(tracer: Tracer, method: string, path: string, headers: Carrier): ServerSpan {
  const parent = extractContext(headers);
  const span = tracer.startSpan(method, { kind: SpanKind.SERVER, attributes: { [ATTR_HTTP_REQUEST_METHOD]: method, [ATTR_URL_PATH]: path } }, parent);
  return { span, context: trace.setSpan(parent, span), trace: traceContextOf(span, parent) };
}

/**
 * Ends it: named after the route template when one matched ("GET /v1/orders/:id", else just the method, so names stay
 * few); status ERROR on 5xx and on exceptions (4xx is the client's error, not the server's).
 */
export function endServerSpan(span: Span, method: string, status: number, route: string | undefined, error?: unknown): void {
  if (route) {
    span.updateName(`${method} ${route}`);
    span.setAttribute(ATTR_HTTP_ROUTE, route);
  }
  span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
  if (error !== undefined) failSpan(span, error);
  else if (status >= 500) {
    span.setStatus({ code: SpanStatusCode.ERROR });
    span.setAttribute(ATTR_ERROR_TYPE, String(status));
  }
  span.end();
}

export interface ClientCall {
  method: string;
  /** The full URL called (without credentials). */
  url: string;
  /** Route template for the span name ("POST /v1/orders"); the method alone when unknown. */
  route?: string | undefined;
  /** Where traceparent (the client span's) is written. */
  headers: Carrier;
}

/**
 * Runs one outbound call in a client span (child of the active span): traceparent in the request headers is the
 * client span's, so the server's span becomes its child. Error status on 4xx/5xx, network errors and timeouts.
 */
export async function withClientSpan(tracer: Tracer, call: ClientCall, send: () => Promise<Response>): Promise<Response> {
  // Only as the child of a sampled span: an unsampled request's traceparent is already in the headers, and a
  // root span here would start a second trace (sampled on its own) for the same call.
  if (!trace.getActiveSpan()?.isRecording()) return send();
  const attributes: Record<string, string | number> = { [ATTR_HTTP_REQUEST_METHOD]: call.method };
  const target = parseTarget(call.url);
  if (target) {
    attributes[ATTR_URL_FULL] = target.url;
    attributes[ATTR_SERVER_ADDRESS] = target.address;
    attributes[ATTR_SERVER_PORT] = target.port;
  }
  const span = tracer.startSpan(call.route ? `${call.method} ${call.route}` : call.method, { kind: SpanKind.CLIENT, attributes });
  injectSpan(span, call.headers);
  try {
    const res = await send();
    span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, res.status);
    // Client spans count 4xx as errors too (HTTP semantic conventions): the call did not do what was asked.
    if (res.status >= 400) {
      span.setStatus({ code: SpanStatusCode.ERROR });
      span.setAttribute(ATTR_ERROR_TYPE, String(res.status));
    }
    return res;
  } catch (err) {
    failSpan(span, err, (err as { kind?: string }).kind);
    throw err;
  } finally {
    span.end();
  }
}

/** The URL without credentials and query (either may carry secrets), and its host and port. */
function parseTarget(url: string): { url: string; address: string; port: number } | undefined {
  try {
    const u = new URL(url);
    return { url: u.origin + u.pathname, address: u.hostname, port: u.port ? Number(u.port) : u.protocol === "https:" ? 443 : 80 };
  } catch {
    return undefined;
  }
}
