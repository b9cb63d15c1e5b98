// Holds JSON request bodies to their contract: the declared media type exactly, in UTF-8 only (415 otherwise).
import type { MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import { AppError } from "./app-error.ts";

interface RouteDefinition {
  type: string;
  route?: { method: string; path: string; request?: { body?: { content?: Record<string, unknown> } } };
}

/** `application/json; charset="UTF-8"` → essence and parameters, lower-cased (quotes dropped). */
function parseContentType(header: string): { essence: string; params: Map<string, string> } {
  const [essence = "", ...rest] = header.split(";");
  const params = new Map<string, string>();
  for (const part of rest) {
    const eq = part.indexOf("=");
    if (eq === -1) continue;
    params.set(
      part.slice(0, eq).trim().toLowerCase(),
      part
        .slice(eq + 1)
        .trim()
        .replace(/^"(.*)"$/, "$1")
        .toLowerCase(),
    );
  }
  return { essence: essence.trim().toLowerCase(), params };
}

/** The reason a JSON body with this content type is refused, or undefined when it is acceptable. */
export function jsonContentTypeProblem(header: string, declared: readonly string[]): string | undefined {
  const { essence, params } = parseContentType(header);
  if (!declared.includes(essence)) return `Send the body as ${declared.join(" or ")}.`;
  const charset = params.get("charset");
  // RFC 8259 §8.1: JSON between systems is UTF-8; another charset would be parsed as UTF-8 and read wrong.
  if (charset !== undefined && charset !== "utf-8") return `JSON bodies must be UTF-8, not ${charset}.`;
  return undefined;
}

/**
 * Middleware for every request of an app: when the matched operation declares a JSON body, a request carrying a
 * content type must name one of its declared media types (no other `+json` type) and no charset but UTF-8. Operations
 * without a body are left alone. `definitions` are the app's OpenAPI route definitions (read once, on first use).
 */
export function jsonMediaTypeGate(definitions: () => readonly RouteDefinition[]): MiddlewareHandler {
  let byRoute: Map<string, string[]> | undefined;
  const declaredFor = (method: string, path: string) => {
    byRoute ??= new Map(
      definitions().flatMap((d) => {
        const content = d.type === "route" ? d.route?.request?.body?.content : undefined;
        const json = Object.keys(content ?? {}).filter((t) => /^application\/([\w.-]+\+)?json$/i.test(t));
        if (!d.route || json.length === 0) return [];
        return [[`${d.route.method.toUpperCase()} ${d.route.path.replaceAll(/\{([^}]+)\}/g, ":$1")}`, json.map((t) => t.toLowerCase())]];
      }),
    );
    return byRoute.get(`${method} ${path}`);
  };
  return async (c, next) => {
    const header = c.req.header("content-type");
    if (header !== undefined) {
      const route = matchedRoutes(c).findLast((r) => r.method !== "ALL");
      const declared = route && declaredFor(route.method, route.path);
      const problem = declared && jsonContentTypeProblem(header, declared);
      if (problem) throw new AppError("unsupported_media_type", { detail: problem });
    }
    await next();
  };
}
