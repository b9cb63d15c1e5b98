// The test control surface: set or clear the process-wide fault, read and reset what the server saw.
import { Hono } from "hono";
import { type Faults, processFaultSchema } from "../faults/faults.ts";
import { zodMessage } from "../zod-message.ts";
import type { Stats } from "./stats.ts";

export function controlRoutes(stats: Stats, faults: Faults): Hono {
  const app = new Hono();
  app.get("/_control", (c) => c.json({ fault: faults.get() ?? null }));
  // Body: a process fault ({"fault": "hang", "model": "lang-id", "count": 1, ...}), or {"fault": "none"} to clear.
  app.post("/_control", async (c) => {
    const body = await c.req.json().catch(() => undefined);
    if (body && typeof body === "object" && (body as { fault?: unknown }).fault === "none") {
      faults.set(undefined);
      return c.json({ fault: null });
    }
    const parsed = processFaultSchema.safeParse(body);
    if (!parsed.success) return c.json({ error: zodMessage(parsed.error) }, 400);
    faults.set(parsed.data);
    return c.json({ fault: parsed.data });
  });
  app.delete("/_control", (c) => {
    faults.set(undefined);
    return c.json({ fault: null });
  });
  app.get("/_control/stats", (c) => c.json(stats.snapshot()));
  app.delete("/_control/stats", (c) => {
    stats.reset();
    return c.body(null, 204);
  });
  return app;
}
