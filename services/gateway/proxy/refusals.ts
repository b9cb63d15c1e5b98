// What the proxy answers itself: refusals at the edge (401/403/413/429…) and upstream failures (502/503/504) as problem+json.
import { AppError } from "../../../lib/http/app-error.ts";
import { UpstreamError } from "../../../lib/http/client/upstream-client.ts";
import { problemResponse } from "../../../lib/http/problem.ts";
import type { Logger } from "../../../lib/logging/logger.ts";
import type { GatewayMetrics, RefusalReason } from "../metrics.ts";
import type { UpstreamRoute } from "./routes.ts";

/** A request refused at the edge: the problem to answer plus the reason counted in metrics. */
export class Refusal extends AppError {
  constructor(
    readonly reason: RefusalReason,
    ...args: ConstructorParameters<typeof AppError>
  ) {
    super(...args);
  }
}

/** The problem response for whatever stopped a proxied request. */
export function failureResponse(err: unknown, route: UpstreamRoute, requestId: string, path: string, metrics: GatewayMetrics, log: Logger): Response {
  const upstream = route.name;
  if (err instanceof Refusal) {
    metrics.refused[err.reason].inc();
    return problemResponse(err.code, { detail: err.detail, headers: err.headers, requestId, instance: path });
  }
  if (err instanceof UpstreamError) {
    route.metrics.failures[err.kind].inc();
    if (err.kind === "circuit_open") {
      return problemResponse("service_unavailable", {
        detail: `${upstream} is failing; calls are paused.`,
        headers: { "retry-after": String(Math.max(1, Math.ceil(err.retryAfterMs / 1000))) },
        requestId,
        instance: path,
      });
    }
    if (err.kind === "timeout") {
      const detail = err.connect ? `${upstream} did not accept a connection in time.` : `${upstream} did not answer in time.`;
      return problemResponse("upstream_timeout", { detail, requestId, instance: path });
    }
    return problemResponse("bad_gateway", { detail: `${upstream} could not be reached.`, requestId, instance: path });
  }
  log.error("proxy error", { upstream, err: err instanceof Error ? err.message : String(err) });
  return problemResponse("internal_error", { requestId, instance: path });
}
