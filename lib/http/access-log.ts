// Middleware writing one access-log line per request: method, route template, status, duration, and the handler's fields.
import type { Context, MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import type { Fields } from "../logging/logger.ts";
import type { AppEnv } from "./app-env.ts";

/** Probes and scrapes: they run every few seconds on every replica, so they stay out of the info log and of traces. */
export const ROUTINE_PATHS: ReadonlySet<string> = new Set(["/healthz", "/readyz", "/startupz", "/metrics"]);

/** Adds fields to this request's access-log line (e.g. a model call's token usage); later calls add to earlier ones. */
export function addLogFields(c: Context<AppEnv>, fields: Fields): void {
  const had = c.get("logFields");
  c.set("logFields", had ? Object.assign(had, fields) : { ...fields });
}

/**
 * For a response whose body outlives the handler (a stream): the access-log line waits for the returned function,
 * which adds its fields and writes it, with the duration up to then (the stream's end), not to the response headers.
 */
export function deferLogLine(c: Context<AppEnv>): (fields?: Fields) => void {
  let done!: () => void;
  c.set("logDeferred", new Promise<void>((resolve) => (done = resolve)));
  return (fields) => {
    if (fields) addLogFields(c, fields);
    done();
  };
}

export function accessLog(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const start = performance.now();
    await next();
    const write = () => {
      const log = c.get("log");
      const level = ROUTINE_PATHS.has(c.req.path) ? "debug" : c.res.status >= 500 ? "error" : "info";
      if (!log.enabled(level)) return;
      log[level]("request", {
        method: c.req.method,
        route: routeTemplate(c),
        status: c.res.status,
        duration_ms: Math.round((performance.now() - start) * 1000) / 1000,
        ...c.get("logFields"),
      });
    };
    const deferred = c.get("logDeferred");
    if (deferred) void deferred.then(write);
    else write();
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
