// Masks secret-bearing fields (credentials, tokens, cookies, passwords) before a log line is written.

const SECRET_KEY =
  /^(authorization|proxy-authorization|cookie|set-cookie|password|passwd|secret|token|access_token|refresh_token|id_token|api[-_]?key|x-api-key|client_secret|private[-_]?key|database_url|dsn)$|(password|secret|token|private_jwk)$/i;

const REDACTED = "[redacted]";

/** True when a field name is one whose value must never reach a log. */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** Deep-copies plain objects and arrays, replacing values under secret keys. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== "object") return value;
  if (value instanceof Error) return { name: value.name, message: value.message };
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = isSecretKey(k) ? REDACTED : redact(v, depth + 1);
  }
  return out;
}
