// NATS subject rules for the embedded broker: validation, wildcard matching (`*` one token, `>` the rest), filters as SQL regexes.

const tokens = (s: string) => s.split(".");

/** A valid subject (publish: no wildcards) or pattern (streams and filters: `*` tokens, a final `>`). */
export function isValidSubject(subject: string, allowWildcards: boolean): boolean {
  if (subject === "" || /\s/.test(subject)) return false;
  const parts = tokens(subject);
  return parts.every((t, i) => {
    if (t === "") return false;
    if (t === "*") return allowWildcards;
    if (t === ">") return allowWildcards && i === parts.length - 1;
    return !t.includes("*") && !t.includes(">");
  });
}

/** True when the concrete `subject` matches `pattern`. */
export function subjectMatches(pattern: string, subject: string): boolean {
  const p = tokens(pattern);
  const s = tokens(subject);
  for (let i = 0; i < p.length; i++) {
    if (p[i] === ">") return s.length > i;
    if (i >= s.length) return false;
    if (p[i] !== "*" && p[i] !== s[i]) return false;
  }
  return p.length === s.length;
}

/** True when some subject matches both patterns (NATS refuses streams whose subjects overlap). */
export function patternsOverlap(a: string, b: string): boolean {
  const x = tokens(a);
  const y = tokens(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const p = x[i];
    const q = y[i];
    if (p === undefined || q === undefined) return false;
    if (p === ">" || q === ">") return true;
    if (p !== "*" && q !== "*" && p !== q) return false;
  }
  return true;
}

/** One anchored POSIX regex matching any of `filters` ("" = match everything), evaluated in SQL. */
export function filterRegex(filters: readonly string[]): string {
  if (filters.length === 0 || filters.includes(">")) return "";
  const one = (f: string) =>
    tokens(f)
      .map((t) => (t === "*" ? "[^.]+" : t === ">" ? ".+" : t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
      .join("\\.");
  return `^(${filters.map(one).join("|")})$`;
}

/** Bytes a message's headers take on the wire (NATS/1.0 header block), counted against maxMessageBytes. */
export function headerBytes(headers: Record<string, string> | undefined): number {
  if (!headers) return 0;
  const enc = new TextEncoder();
  let n = 0;
  for (const [k, v] of Object.entries(headers)) n += enc.encode(k).length + enc.encode(v).length + 4; // "k: v\r\n"
  return n === 0 ? 0 : n + 12; // "NATS/1.0\r\n" … "\r\n"
}
