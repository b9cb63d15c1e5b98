// The proxy's server span (tracing on only): continues the caller's trace, named after the permission rule's path template.
import { context, type Tracer } from "@opentelemetry/api";
import { endServerSpan, type ServerSpan, startServerSpan } from "../../../lib/telemetry/http-spans.ts";
import { findRule } from "../auth/permissions.ts";
import type { UpstreamRoute } from "./routes.ts";

export function startProxySpan(tracer: Tracer, req: Request, path: string): ServerSpan {
  return startServerSpan(tracer, req.method, path, req.headers);
}

/** Runs the forwarding with the span active, so the upstream client's span is its child. */
export function inProxySpan<T>(s: ServerSpan, fn: () => T): T {
  return context.with(s.context, fn);
}

/** "POST /v1/orders", "GET /v1/orders/*": the rule that matched (its path is the route template), else the prefix. */
export function endProxySpan(s: ServerSpan, method: string, route: UpstreamRoute, path: string, status: number): void {
  endServerSpan(s.span, method, status, findRule(route.rules, method, path)?.path ?? route.prefix);
}
