// Middleware writing one access-log line per request: method, route template, status, duration.
import type { Context, MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import type { AppEnv } from "./app-env.ts";

/** Probes and scrapes: they run every few seconds on every replica, so they stay out of the info log and of traces. */
export const ROUTINE_PATHS: ReadonlySet<string> = new Set(["/healthz", "/readyz", "/startupz", "/metrics"]);

export function accessLog(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const start = performance.now();
    await next();
    const log = c.get("log");
    const level = ROUTINE_PATHS.has(c.req.path) ? "debug" : c.res.status >= 500 ? "error" : "info";
    if (!log.enabled(level)) return;
    log[level]("request", {
      method: c.req.method,
      route: routeTemplate(c),
      status: c.res.status,
      duration_ms: Math.round((performance.now() - start) * 1000) / 1000,
    });
  };
}

/** The template of the route that answered (`/v1/orders/:id`), never the raw path: ids stay out of labels. */
export function routeTemplate(c: Context): string {
  const routes = matchedRoutes(c);
  for (let i = routes.length - 1; i >= 0; i--) {
    const r = routes[i];
    if (r && r.method !== "ALL") return r.path;
  }
  return "unmatched";
}
