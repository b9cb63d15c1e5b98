// Names the most common issuer mix-up (a trailing slash more or less) so logs and startup errors say it, not just "mismatch".

/** " (they differ only by a trailing slash)" when that is the only difference between two issuers, "" otherwise. */
export function trailingSlashHint(configured: string, found: string): string {
  if (configured === found || configured.replace(/\/+$/, "") !== found.replace(/\/+$/, "")) return "";
  return " (they differ only by a trailing slash; issuers are compared exactly)";
}
