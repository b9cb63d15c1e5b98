// CORS for an allow-list of exact origins: response headers for allowed origins and answers to preflight requests.

const ALLOW_METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";
const ALLOW_HEADERS = "authorization, content-type, idempotency-key, x-request-id, traceparent, tracestate";
const EXPOSE_HEADERS = "x-request-id, retry-after, ratelimit, ratelimit-policy, idempotent-replayed, location, www-authenticate";

export interface Cors {
  /** Adds the CORS response headers when `origin` is allowed. */
  apply(headers: Headers, origin: string | null): void;
  /** The CORS response headers for `origin` as a record (empty without an allowed origin), for the proxy's hot path. */
  headersFor(origin: string | null): Record<string, string> | undefined;
  /** Answers a preflight: 204 with the allowances for an allowed origin, 204 without any for others (the browser then blocks). */
  preflight(origin: string): Response;
}

export function createCors(origins: readonly string[]): Cors {
  const allowed = new Set(origins);
  return {
    apply(headers, origin) {
      if (origin === null || allowed.size === 0) return;
      headers.append("vary", "Origin");
      if (!allowed.has(origin)) return;
      headers.set("access-control-allow-origin", origin);
      headers.set("access-control-expose-headers", EXPOSE_HEADERS);
    },
    headersFor(origin): Record<string, string> | undefined {
      if (origin === null || allowed.size === 0) return undefined;
      if (!allowed.has(origin)) return { vary: "Origin" };
      return { vary: "Origin", "access-control-allow-origin": origin, "access-control-expose-headers": EXPOSE_HEADERS };
    },
    preflight(origin) {
      const headers = new Headers({ vary: "Origin" });
      if (allowed.has(origin)) {
        headers.set("access-control-allow-origin", origin);
        headers.set("access-control-allow-methods", ALLOW_METHODS);
        headers.set("access-control-allow-headers", ALLOW_HEADERS);
        headers.set("access-control-max-age", "600");
      }
      return new Response(null, { status: 204, headers });
    },
  };
}
