// Finds which methods a path supports so an unmatched method answers 405 with `Allow`, not 404.

interface RouteLike {
  method: string;
  path: string;
}

/** Hono route pattern (`/v1/orders/:id`) → anchored regex; `*` matches anything. */
function toRegex(path: string): RegExp {
  const body = path
    .split("/")
    .map((seg) => {
      if (seg === "*") return ".*";
      if (seg.startsWith(":")) return "[^/]+";
      return seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    })
    .join("/");
  return new RegExp(`^${body}/?$`);
}

/** Returns a function listing the allowed methods for a path, or [] when no route has that path. */
export function allowedMethodsLookup(routes: () => readonly RouteLike[]): (path: string) => string[] {
  let compiled: { re: RegExp; method: string }[] | undefined;
  return (path) => {
    compiled ??= routes()
      .filter((r) => r.method !== "ALL" && r.path !== "*" && r.path !== "/*")
      .map((r) => ({ re: toRegex(r.path), method: r.method }));
    const methods = new Set<string>();
    for (const r of compiled) if (r.re.test(path)) methods.add(r.method);
    if (methods.has("GET")) methods.add("HEAD");
    return [...methods].sort();
  };
}
