import { describe, expect, test } from "bun:test";
import { createServiceApp } from "../http/create-app.ts";
import { silentLogger } from "../logging/logger.ts";
import { createHealth } from "./health.ts";
import { registerHealthRoutes } from "./routes.ts";

function appWith(checks: Parameters<typeof createHealth>[0], timeoutMs?: number, informational?: string[]) {
  const health = createHealth(checks, { timeoutMs, informational });
  const app = createServiceApp({ log: silentLogger });
  registerHealthRoutes(app, health);
  return { app, health };
}

describe("probes", () => {
  test("/healthz is 200 without touching dependencies; /startupz and /readyz are 503 until started", async () => {
    let called = 0;
    const { app, health } = appWith({ db: async () => void called++ });
    expect((await app.request("/healthz")).status).toBe(200);
    expect((await app.request("/startupz")).status).toBe(503);
    expect(await (await app.request("/readyz")).json()).toEqual({ status: "starting" });
    expect(called).toBe(0);
    health.markStarted();
    expect((await app.request("/startupz")).status).toBe(200);
    const ready = await app.request("/readyz");
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ok", checks: { db: "ok" } });
  });

  test("/readyz is 503 naming the failing dependency, and a hung check times out", async () => {
    const { app, health } = appWith(
      { db: async () => {}, broker: () => Promise.reject(new Error("connection refused")), slow: () => new Promise(() => {}) },
      50,
    );
    health.markStarted();
    const res = await app.request("/readyz");
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: "unavailable", checks: { db: "ok", broker: "connection refused", slow: "timed out after 50 ms" } });
  });

  test("/readyz stays 200 'degraded' when only an informational (shared) dependency fails, and 503 when an own check fails too", async () => {
    let consumerOk = true;
    const { app, health } = appWith(
      {
        database: () => Promise.reject(new Error("canceling statement due to statement timeout")),
        broker: async () => {},
        consumer: async () => {
          if (!consumerOk) throw new Error("subscription lost");
        },
      },
      50,
      ["database", "broker"],
    );
    health.markStarted();
    const degraded = await app.request("/readyz");
    expect(degraded.status).toBe(200);
    expect(await degraded.json()).toEqual({
      status: "degraded",
      checks: { database: "canceling statement due to statement timeout", broker: "ok", consumer: "ok" },
    });
    consumerOk = false;
    const down = await app.request("/readyz");
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({
      status: "unavailable",
      checks: { database: "canceling statement due to statement timeout", broker: "ok", consumer: "subscription lost" },
    });
  });

  test("/readyz is 503 while draining, /healthz stays 200", async () => {
    const { app, health } = appWith({});
    health.markStarted();
    health.startDraining();
    expect(await (await app.request("/readyz")).json()).toEqual({ status: "draining" });
    expect((await app.request("/healthz")).status).toBe(200);
  });
});
