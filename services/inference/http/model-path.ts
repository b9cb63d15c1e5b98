// Resolves `/v1/models/{model}…` against the registry by exact, undecoded match: `..`, encoded slashes and the like are 404.
import type { MiddlewareHandler } from "hono";
import { AppError } from "../../../lib/http/app-error.ts";
import type { Pools } from "../backends/pool.ts";
import type { Protocol } from "../registry/registry-schema.ts";
import type { InferenceEnv } from "./inference-env.ts";

const PREFIX = "/v1/models/";

/** The raw path segment after /v1/models/ as the client sent it (no percent-decoding, no normalisation). */
export function rawModelSegment(url: string): string {
  const start = url.indexOf(PREFIX, url.indexOf("//") + 2) + PREFIX.length;
  let end = start;
  while (end < url.length && url[end] !== "/" && url[end] !== "?" && url[end] !== "#") end++;
  return url.slice(start, end);
}

export function modelNotFound(name: string, protocol?: Protocol): AppError {
  const shown = name.length > 128 ? `${name.slice(0, 128)}…` : name;
  return new AppError("model_not_found", {
    detail: protocol ? `No ${protocol} model is named "${shown}" (GET /v1/models lists them).` : `No model is named "${shown}" (GET /v1/models lists them).`,
  });
}

/** Sets `pool` from the path; `protocol` restricts the route to models of that protocol (others: 404). */
export function modelFromPath(pools: Pools, protocol?: Protocol): MiddlewareHandler<InferenceEnv> {
  return async (c, next) => {
    const name = rawModelSegment(c.req.raw.url);
    const pool = pools.get(name);
    if (pool === undefined || (protocol !== undefined && pool.spec.protocol !== protocol)) throw modelNotFound(name, protocol);
    c.set("pool", pool);
    await next();
  };
}
