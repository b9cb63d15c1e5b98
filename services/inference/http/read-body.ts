// Reads the request body once, under a byte cap (413 beyond), and hands the text to Hono's validator and to forwarding.
import type { Context, MiddlewareHandler } from "hono";
import { AppError } from "../../../lib/http/app-error.ts";
import type { InferenceEnv } from "./inference-env.ts";

const tooLarge = (limit: number) => new AppError("payload_too_large", { detail: `Request body exceeds ${limit} bytes for this model.` });

/**
 * `limitOf` gives the cap for this request (the path's model, or the largest any model allows when the model is in the
 * body). A declared Content-Length over it is refused before a byte is read; a chunked body is read, then measured.
 */
export function readBody(limitOf: (c: Context<InferenceEnv>) => number): MiddlewareHandler<InferenceEnv> {
  return async (c, next) => {
    const limit = limitOf(c);
    const declared = Number(c.req.header("content-length") ?? Number.NaN);
    if (declared > limit) throw tooLarge(limit);
    const bytes = new Uint8Array(await c.req.raw.arrayBuffer());
    if (bytes.byteLength > limit) throw tooLarge(limit);
    c.set("bodyBytes", bytes.byteLength);
    // Hono's validator reads the cached text: the body is parsed once and the same text is what gets forwarded.
    (c.req as unknown as { bodyCache: Record<string, Promise<unknown>> }).bodyCache.text = Promise.resolve(new TextDecoder().decode(bytes));
    await next();
  };
}
