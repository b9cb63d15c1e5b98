import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type UnacceptingListener, unacceptingListener } from "../../testing/unaccepting-listener.ts";
import { createConnectProbe } from "./connect-probe.ts";

describe("connect probe", () => {
  let hung: UnacceptingListener;
  const open = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("ok") });
  beforeAll(async () => {
    hung = await unacceptingListener();
  });
  afterAll(() => {
    hung.close();
    open.stop(true);
  });

  test("true for a listening upstream, false for a refused port", async () => {
    expect(await createConnectProbe({ baseUrl: `http://127.0.0.1:${open.port}`, timeoutMs: 500 })()).toBe(true);
    const closed = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("") });
    const port = closed.port;
    closed.stop(true);
    expect(await createConnectProbe({ baseUrl: `http://127.0.0.1:${port}`, timeoutMs: 500 })()).toBe(false);
  });

  test("false at its timeout when connects hang", async () => {
    const t0 = performance.now();
    expect(await createConnectProbe({ baseUrl: `http://127.0.0.1:${hung.port}`, timeoutMs: 300 })()).toBe(false);
    const ms = performance.now() - t0;
    expect(ms).toBeGreaterThanOrEqual(290);
    expect(ms).toBeLessThan(600);
  });

  test("concurrent callers share one attempt; the verdict is kept for cacheMs, then asked again", async () => {
    let attempts = 0;
    let clock = 0;
    const probe = createConnectProbe({
      baseUrl: "http://orders:8081",
      timeoutMs: 1_000,
      cacheMs: 500,
      now: () => clock,
      connect: async (host, port) => {
        attempts++;
        expect([host, port]).toEqual(["orders", 8081]);
        return attempts === 1;
      },
    });
    expect(await Promise.all([probe(), probe(), probe()])).toEqual([true, true, true]);
    expect(attempts).toBe(1);
    clock = 499;
    expect(await probe()).toBe(true);
    expect(attempts).toBe(1);
    clock = 500;
    expect(await probe()).toBe(false);
    expect(attempts).toBe(2);
  });
});
