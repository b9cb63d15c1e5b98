// Registers the probes on an app: /healthz (alive), /readyz (dependencies, 503 while draining), /startupz (started).
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../http/app-env.ts";
import { problemResponses } from "../http/openapi-problems.ts";
import { NoQuery } from "../http/query-params.ts";
import type { Health } from "./health.ts";

const ProbeBody = z
  .object({
    status: z.enum(["ok", "degraded", "unavailable", "draining", "starting"]),
    checks: z.record(z.string(), z.string()).optional(),
  })
  .openapi("ProbeStatus");

const probe = (path: string, operationId: string, summary: string) =>
  createRoute({
    method: "get",
    path,
    operationId,
    tags: ["probes"],
    security: [],
    summary,
    // Like every operation, a probe refuses query parameters it does not declare (it declares none).
    request: { query: NoQuery },
    responses: {
      200: { description: "Healthy", content: { "application/json": { schema: ProbeBody } } },
      ...problemResponses("invalid_parameter"),
      503: { description: "Not healthy (yet, or any more)", content: { "application/json": { schema: ProbeBody } } },
    },
  });

export function registerHealthRoutes(app: OpenAPIHono<AppEnv>, health: Health): void {
  app.openapi(probe("/healthz", "liveness", "Liveness: the process is up (no dependency checks)"), (c) => c.json({ status: "ok" as const }, 200));

  app.openapi(probe("/startupz", "startup", "Startup: migrations and initialisation are done"), (c) =>
    health.started ? c.json({ status: "ok" as const }, 200) : c.json({ status: "starting" as const }, 503),
  );

  app.openapi(
    probe("/readyz", "readiness", 'Readiness: started, not draining, own checks pass (a shared dependency\'s outage is 200 "degraded")'),
    async (c) => {
      if (health.draining) return c.json({ status: "draining" as const }, 503);
      if (!health.started) return c.json({ status: "starting" as const }, 503);
      const report = await health.checkDependencies();
      if (!report.ok) return c.json({ status: "unavailable" as const, checks: report.checks }, 503);
      return c.json({ status: report.degraded ? ("degraded" as const) : ("ok" as const), checks: report.checks }, 200);
    },
  );
}
