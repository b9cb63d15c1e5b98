// Finds which methods a path supports so an unmatched method answers 405 with `Allow`, not 404.

interface RouteLike {
  method: string;
  path: string;
}

/**
 * Hono route pattern (`/v1/orders/:id`) → anchored regex; `*` matches anything. Matching is exact, as the router's
 * is: `/v1/orders/` is not `/v1/orders`, so a trailing slash is a 404 (no redirect), never a 405 for the other path.
 */
function toRegex(path: string): RegExp {
  const body = path
    .split("/")
    .map((seg) => {
      if (seg === "*") return ".*";
      if (seg.startsWith(":")) return "[^/]+";
      return seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    })
    .join("/");
  return new RegExp(`^${body}$`);
}

/** The `Allow` list of a path served with `methods`: HEAD wherever GET is (the router answers it), sorted. */
export function allowList(methods: Iterable<string>): string[] {
  const set = new Set(methods);
  if (set.has("GET")) set.add("HEAD");
  return [...set].sort();
}

/** The detail of a 405: the refused method and the ones the path takes. */
export const methodNotAllowedDetail = (method: string, allow: readonly string[]) => `${method} is not supported here; use ${allow.join(", ")}.`;

/** Returns a function listing the allowed methods for a path, or [] when no route has that path. */
export function allowedMethodsLookup(routes: () => readonly RouteLike[]): (path: string) => string[] {
  let compiled: { re: RegExp; method: string }[] | undefined;
  return (path) => {
    compiled ??= routes()
      .filter((r) => r.method !== "ALL" && r.path !== "*" && r.path !== "/*")
      .map((r) => ({ re: toRegex(r.path), method: r.method }));
    return allowList(compiled.filter((r) => r.re.test(path)).map((r) => r.method));
  };
}
