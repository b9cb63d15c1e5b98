// Registers GET /v1/notifications: the caller's notifications, scoped to the token's subject.
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { InternalTokenVerifier } from "../../../lib/auth/internal-token.ts";
import { requireInternalAuth, requireScope } from "../../../lib/auth/middleware.ts";
import type { AppEnv } from "../../../lib/http/app-env.ts";
import { decodeCursor, encodeCursor, uuidValue } from "../../../lib/http/cursor.ts";
import type { NotificationsRepository } from "./repository.ts";
import { notificationRoutes } from "./routes.ts";

const CURSOR_KIND = "n1";

export function registerNotificationRoutes(app: OpenAPIHono<AppEnv>, deps: { repo: NotificationsRepository; verifyToken: InternalTokenVerifier }): void {
  const routes = notificationRoutes({ auth: requireInternalAuth(deps.verifyToken, "notifications"), read: requireScope("notifications:read") });

  app.openapi(routes.list, async (c) => {
    const q = c.req.valid("query");
    const items = await deps.repo.list({
      customerId: c.get("principal").subject,
      afterId: q.cursor === undefined ? undefined : decodeCursor(q.cursor, CURSOR_KIND, uuidValue),
      limit: q.limit + 1,
    });
    const more = items.length > q.limit;
    const page = more ? items.slice(0, q.limit) : items;
    const last = page.at(-1);
    return c.json({ items: page, nextCursor: more && last ? encodeCursor(CURSOR_KIND, last.id) : null }, 200);
  });
}
