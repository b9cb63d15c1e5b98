// Registers GET /metrics (Prometheus text) on an app, beside the probes and outside the /v1 contract.
import type { Hono } from "hono";
import { CONTENT_TYPE } from "../metrics/exposition.ts";
import type { Registry } from "../metrics/registry.ts";

// biome-ignore lint/suspicious/noExplicitAny: any app env; the route reads nothing from it.
export function registerMetricsRoute(app: Hono<any>, registry: Registry): void {
  // A plain route, not app.openapi(): scrapes are operations, not part of the published API.
  app.get("/metrics", (c) => c.body(registry.render(), 200, { "content-type": CONTENT_TYPE }));
}
