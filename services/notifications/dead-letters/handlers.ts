// Registers the dead-letter admin routes: thin glue from validated input to the reader and the replayer.
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { InternalTokenVerifier } from "../../../lib/auth/internal-token.ts";
import { requireInternalAuth, requireScope } from "../../../lib/auth/middleware.ts";
import type { AppEnv } from "../../../lib/http/app-env.ts";
import { AppError } from "../../../lib/http/app-error.ts";
import { decodeCursor, encodeCursor, positiveIntValue } from "../../../lib/http/cursor.ts";
import { type DeadLetterReader, toDeadLetter, toSummary } from "./dead-letter-reader.ts";
import type { Replayer } from "./replay.ts";
import { deadLetterRoutes } from "./routes.ts";

const CURSOR_KIND = "d1";

export interface DeadLetterHandlerDeps {
  reader: DeadLetterReader;
  replayer: Replayer;
  verifyToken: InternalTokenVerifier;
}

export function registerDeadLetterRoutes(app: OpenAPIHono<AppEnv>, deps: DeadLetterHandlerDeps): void {
  const routes = deadLetterRoutes({ auth: requireInternalAuth(deps.verifyToken, "notifications"), admin: requireScope("notifications:admin") });

  app.openapi(routes.list, async (c) => {
    const q = c.req.valid("query");
    const after = q.cursor === undefined ? 0 : decodeCursor(q.cursor, CURSOR_KIND, positiveIntValue);
    const page = await deps.reader.list(after, q.limit);
    const items = page.items.flatMap((r) => (r.ok ? [toSummary(r.message, r.doc)] : []));
    return c.json({ items, nextCursor: page.more ? encodeCursor(CURSOR_KIND, String(page.lastSeq)) : null }, 200);
  });

  app.openapi(routes.get, async (c) => {
    const { seq } = c.req.valid("param");
    const read = await deps.reader.get(seq);
    if (!read) throw new AppError("not_found", { detail: `No dead letter ${seq}.` });
    if (!read.ok) throw new AppError("dead_letter_not_replayable", { detail: `DLQ message ${seq} is ${read.error}.` });
    return c.json(toDeadLetter(read.message, read.doc), 200);
  });

  app.openapi(routes.replay, async (c) => c.json(await deps.replayer.replayOne(c.req.valid("param").seq), 200));

  app.openapi(routes.replayAll, async (c) => c.json(await deps.replayer.replayAll(c.req.valid("query").limit), 200));
}
