// CORS for an allow-list of exact origins: response headers for allowed origins and answers to preflight requests.

const ALLOW_METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";
const ALLOW_HEADERS = "authorization, content-type, idempotency-key, x-request-id, traceparent, tracestate";
/** A preflight's Access-Control-Request-Headers as browsers send it: lower-case header names, comma-separated. */
const REQUESTED_HEADERS = /^[a-z0-9!#$%&'*+.^_`|~-]+(?:\s*,\s*[a-z0-9!#$%&'*+.^_`|~-]+)*$/i;
const MAX_REQUESTED_HEADERS_LENGTH = 2048;

/**
 * The headers an allowed origin may send: the ones its preflight asks for, or the platform's own when it asks for none
 * (or sends something that is not a header list). Clients send headers of their own: OpenAI's SDK sends eight
 * `x-stainless-*` headers on every call, and a fixed list made Chromium block it ("Request header field x-stainless-os
 * is not allowed by Access-Control-Allow-Headers in preflight response"). The origin is already trusted, and the
 * gateway's forwarding rules (lib/http/proxy/forwarded-headers.ts) decide what reaches a service, not this list.
 */
function allowedHeaders(requested: string | null): string {
  const list = requested?.trim();
  return list === undefined || list.length > MAX_REQUESTED_HEADERS_LENGTH || !REQUESTED_HEADERS.test(list) ? ALLOW_HEADERS : list;
}
const EXPOSE_HEADERS = "x-request-id, retry-after, ratelimit, ratelimit-policy, idempotent-replayed, location, www-authenticate";

export interface Cors {
  /** Adds the CORS response headers when `origin` is allowed. */
  apply(headers: Headers, origin: string | null): void;
  /** The CORS response headers for `origin` as a record (empty without an allowed origin), for the proxy's hot path. */
  headersFor(origin: string | null): Record<string, string> | undefined;
  /**
   * Answers a preflight: 204 with the allowances for an allowed origin (the headers it asks for, see allowedHeaders),
   * 204 without any for others (the browser then blocks).
   */
  preflight(origin: string, requestedHeaders: string | null): Response;
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
    preflight(origin, requestedHeaders) {
      // The answer depends on the requested headers too: a cache must not reuse it for another list.
      const headers = new Headers({ vary: "Origin, Access-Control-Request-Headers" });
      if (allowed.has(origin)) {
        headers.set("access-control-allow-origin", origin);
        headers.set("access-control-allow-methods", ALLOW_METHODS);
        headers.set("access-control-allow-headers", allowedHeaders(requestedHeaders));
        headers.set("access-control-max-age", "600");
      }
      return new Response(null, { status: 204, headers });
    },
  };
}
