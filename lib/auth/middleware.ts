// Middleware: require a valid internal token (401 otherwise) and, per route, a scope (403 otherwise).
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../http/app-env.ts";
import { AppError } from "../http/app-error.ts";
import { type InternalTokenVerifier, InvalidTokenError } from "./internal-token.ts";
import { hasScope, type Scope } from "./principal.ts";

const BEARER = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/;
const MAX_TOKEN_LENGTH = 4096;

/** The JWT of an `Authorization: Bearer <jwt>` header; undefined when absent, too long or not shaped as a JWT. */
export function bearerJwt(header: string | null | undefined): string | undefined {
  if (!header || header.length > MAX_TOKEN_LENGTH) return undefined;
  return BEARER.exec(header)?.[1];
}

function unauthorized(realm: string, description: string, error?: "invalid_token"): AppError {
  const challenge = error ? `Bearer realm="${realm}", error="${error}", error_description="${description}"` : `Bearer realm="${realm}"`;
  return new AppError("unauthorized", { detail: description, headers: { "www-authenticate": challenge } });
}

export function requireInternalAuth(verify: InternalTokenVerifier, realm: string): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header("authorization");
    if (!header) throw unauthorized(realm, "A bearer token is required.");
    const token = bearerJwt(header);
    if (!token) throw unauthorized(realm, "The Authorization header is not a bearer JWT.", "invalid_token");
    try {
      c.set("principal", await verify(token));
    } catch (err) {
      if (err instanceof InvalidTokenError) {
        c.get("log").info("internal token rejected", { reason: err.message });
        throw unauthorized(realm, "The token is invalid or expired.", "invalid_token");
      }
      throw err;
    }
    await next();
  };
}

export function requireScope(scope: Scope): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!hasScope(c.get("principal"), scope)) {
      throw new AppError("insufficient_scope", {
        detail: `This operation needs the ${scope} scope.`,
        headers: { "www-authenticate": `Bearer error="insufficient_scope", scope="${scope}"` },
      });
    }
    await next();
  };
}
