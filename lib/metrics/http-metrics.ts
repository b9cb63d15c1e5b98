// Middleware recording requests by method, route template and status, their duration, and those in flight.
import type { MiddlewareHandler } from "hono";
import { routeTemplate } from "../http/access-log.ts";
import type { CounterSeries, HistogramSeries, Registry } from "./registry.ts";

export const DEFAULT_DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] as const;

export interface HttpMetricsOptions {
  registry: Registry;
  /** Upper bounds of http_request_duration_seconds, per service (DEFAULT_DURATION_BUCKETS otherwise). */
  durationBuckets?: readonly number[];
}

// Any other method reads "other", so a client cannot mint label values.
const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

interface RouteSeries {
  method: string;
  route: string;
  duration: HistogramSeries;
  byStatus: Map<number, CounterSeries>;
}

export function httpMetrics({ registry, durationBuckets = DEFAULT_DURATION_BUCKETS }: HttpMetricsOptions): MiddlewareHandler {
  const requests = registry.counter({
    name: "http_requests_total",
    help: "HTTP requests answered, by method, route template and status",
    labelNames: ["method", "route", "status"],
  });
  const durations = registry.histogram({
    name: "http_request_duration_seconds",
    help: "Time to answer HTTP requests (until the handler returned its response), by method and route template",
    labelNames: ["method", "route"],
    buckets: durationBuckets,
  });
  const inFlight = registry.gauge({ name: "http_requests_in_flight", help: "HTTP requests being answered now" }).labels();

  // method → route template → series, resolved once per combination; a request then costs two map lookups.
  const byMethod = new Map<string, Map<string, RouteSeries>>();
  const routeSeries = (rawMethod: string, route: string): RouteSeries => {
    const method = METHODS.has(rawMethod) ? rawMethod : "other";
    let byRoute = byMethod.get(method);
    if (!byRoute) {
      byRoute = new Map();
      byMethod.set(method, byRoute);
    }
    let s = byRoute.get(route);
    if (!s) {
      s = { method, route, duration: durations.labels(method, route), byStatus: new Map() };
      byRoute.set(route, s);
    }
    return s;
  };
  const counterFor = (s: RouteSeries, status: number): CounterSeries => {
    let counter = s.byStatus.get(status);
    if (!counter) {
      counter = requests.labels(s.method, s.route, String(status));
      s.byStatus.set(status, counter);
    }
    return counter;
  };

  return async (c, next) => {
    const start = performance.now();
    inFlight.inc();
    let status = 500;
    try {
      await next();
      status = c.res.status;
    } finally {
      inFlight.dec();
      const s = routeSeries(c.req.method, routeTemplate(c));
      s.duration.observe((performance.now() - start) / 1000);
      counterFor(s, status).inc();
    }
  };
}
