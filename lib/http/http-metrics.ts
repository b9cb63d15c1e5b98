// Middleware recording requests by method, route template and status, their duration, and those in flight.
import type { MiddlewareHandler } from "hono";
import type { CounterSeries, GaugeSeries, HistogramSeries, Registry } from "../metrics/registry.ts";
import { routeTemplate } from "./access-log.ts";

export const DEFAULT_DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] as const;

export interface HttpMetricsOptions {
  registry: Registry;
  /** Upper bounds of http_request_duration_seconds, per service (DEFAULT_DURATION_BUCKETS otherwise). */
  durationBuckets?: readonly number[];
  /** Families already registered in `registry` (the gateway records its proxied requests in the same ones). */
  families?: HttpMetricFamilies;
}

// Any other method reads "other", so a client cannot mint label values.
export const HTTP_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/** The series of one method and route template: its duration, and its request counter per status. */
export interface RouteSeries {
  duration: HistogramSeries;
  status(code: number): CounterSeries;
}

export interface HttpMetricFamilies {
  inFlight: GaugeSeries;
  /** The series of a method and route template, resolved once per combination (keep it; later calls are two map lookups). */
  route(method: string, route: string): RouteSeries;
}

export function createHttpMetricFamilies(registry: Registry, durationBuckets: readonly number[] = DEFAULT_DURATION_BUCKETS): HttpMetricFamilies {
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

  // method → route template → series; status → counter inside each.
  const byMethod = new Map<string, Map<string, RouteSeries>>();
  const route = (rawMethod: string, template: string): RouteSeries => {
    const method = HTTP_METHODS.has(rawMethod) ? rawMethod : "other";
    let byRoute = byMethod.get(method);
    if (!byRoute) {
      byRoute = new Map();
      byMethod.set(method, byRoute);
    }
    let s = byRoute.get(template);
    if (!s) {
      const byStatus = new Map<number, CounterSeries>();
      s = {
        duration: durations.labels(method, template),
        status(code) {
          let counter = byStatus.get(code);
          if (!counter) {
            counter = requests.labels(method, template, String(code));
            byStatus.set(code, counter);
          }
          return counter;
        },
      };
      byRoute.set(template, s);
    }
    return s;
  };
  return { inFlight, route };
}

export function httpMetrics({ registry, durationBuckets, families }: HttpMetricsOptions): MiddlewareHandler {
  const { inFlight, route } = families ?? createHttpMetricFamilies(registry, durationBuckets);
  return async (c, next) => {
    const start = performance.now();
    inFlight.inc();
    let status = 500;
    try {
      await next();
      status = c.res.status;
    } finally {
      inFlight.dec();
      const s = route(c.req.method, routeTemplate(c));
      s.duration.observe((performance.now() - start) / 1000);
      s.status(status).inc();
    }
  };
}
