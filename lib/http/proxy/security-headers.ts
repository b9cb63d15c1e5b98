// Standard security headers on every proxying service's responses (API answers, problems, probes and docs alike).

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
  "strict-transport-security": "max-age=63072000; includeSubDomains",
  "cross-origin-resource-policy": "same-origin",
};

/** Sets the security headers; `page` keeps the docs page's own CSP (lib/http/docs.ts: its renderer and styles). */
export function applySecurityHeaders(headers: Headers, page = false): void {
  for (const name in SECURITY_HEADERS) {
    if (page && name === "content-security-policy") continue;
    headers.set(name, SECURITY_HEADERS[name] as string);
  }
  // Answers carry per-user data: no shared cache may keep them unless the service said otherwise.
  if (!headers.has("cache-control")) headers.set("cache-control", "no-store");
}

/** The same for a header record about to become a Response (the proxy's hot path). */
export function addSecurityHeaders(headers: Record<string, string>): void {
  for (const name in SECURITY_HEADERS) headers[name] = SECURITY_HEADERS[name] as string;
  if (headers["cache-control"] === undefined) headers["cache-control"] = "no-store";
}
