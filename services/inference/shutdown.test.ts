// SIGTERM with model calls still open past the grace period: each ends with its answer saying so, never cut off.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { resolve } from "node:path";
import { generateDevKeyPair } from "../../lib/auth/dev-keys.ts";
import { createInternalTokenMinter } from "../../lib/auth/internal-token.ts";
import { interruptAtMs } from "../../lib/serve/shutdown.ts";
import { type ServiceProcess, startService } from "../../lib/testing/service-process.ts";
import { devInferenceModels } from "../../scripts/dev-models.ts";
import { readSse } from "../../tools/model-server/testing/sse.ts";
import { spawnTestModelServer, type TestModelServer } from "../../tools/model-server/testing/start.ts";

const ROOT = resolve(import.meta.dir, "../..");
const GRACE_MS = 3_000;

describe("inference shutdown with calls in progress (processes)", () => {
  let models: TestModelServer & { kill(signal?: NodeJS.Signals): Promise<number> };
  let inference: ServiceProcess;
  let auth: Record<string, string>;

  beforeAll(async () => {
    // A 200-token stream at 100 ms a token: 20 s, far past the grace period.
    models = await spawnTestModelServer({ cadenceMs: 100, chunks: 200 });
    const keys = await generateDevKeyPair("shutdown");
    inference = await startService(
      [process.execPath, "services/inference/main.ts"],
      {
        INTERNAL_AUTH_JWKS: JSON.stringify(keys.jwks),
        INFERENCE_MODELS: JSON.stringify(devInferenceModels(models.url)),
        DRAIN_DELAY_MS: "0",
        SHUTDOWN_GRACE_MS: String(GRACE_MS),
        LOG_LEVEL: "info",
      },
      { cwd: ROOT, readyPath: "/readyz", timeoutMs: 30_000 },
    );
    const token = await (await createInternalTokenMinter(keys.privateJwk))({
      audience: "inference",
      subject: "alice",
      scopes: ["inference:invoke"],
      ttlSeconds: 60,
    });
    auth = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  }, 60_000);

  afterAll(async () => {
    await inference?.stop("SIGKILL");
    await models?.kill("SIGKILL");
  });

  test("a stream ends with the service_unavailable error event and a waiting call gets 503 + Retry-After, before the grace period; exit 0", async () => {
    await models.setFault({ fault: "slow", delayMs: 20_000, model: "lang-id" });
    const stream = await fetch(`${inference.url}/v1/chat/completions`, {
      method: "POST",
      headers: { ...auth, "x-request-id": "shutdown-stream" },
      body: JSON.stringify({ model: "echo-chat", stream: true, messages: [{ role: "user", content: "hi" }] }),
    });
    expect(stream.status).toBe(200);
    const slow = fetch(`${inference.url}/v1/models/lang-id/infer`, {
      method: "POST",
      headers: { ...auth, "x-request-id": "shutdown-slow" },
      body: JSON.stringify({ inputs: [{ name: "text", shape: [1], datatype: "BYTES", data: ["Bonjour"] }] }),
    });
    // Both calls have reached the model server.
    for (let i = 0; i < 100 && (await models.stats()).recent.filter((r) => r.method === "POST").length < 2; i++) await Bun.sleep(20);
    const t0 = performance.now();
    const exited = inference.stop("SIGTERM");
    const [events, answer] = await Promise.all([readSse(stream), slow]);
    const ended = performance.now() - t0;

    // The stream: the events sent so far, then the error event, then its end (no [DONE], no reset).
    const last = events.at(-1)?.data ?? "";
    expect(JSON.parse(last)).toEqual({
      error: {
        message: "The inference service is shutting down and ended this model call; another replica takes it again.",
        type: "server_error",
        param: null,
        code: "service_unavailable",
      },
    });
    expect(events.length).toBeGreaterThan(5);
    expect(events.some((e) => e.data === "[DONE]")).toBe(false);
    // The waiting call: a 503 the client may retry elsewhere.
    expect(answer.status).toBe(503);
    expect(answer.headers.get("retry-after")).toBe("1");
    expect((await answer.json()).code).toBe("service_unavailable");
    // At the interrupt point, not at the forced exit.
    expect(ended).toBeGreaterThan(interruptAtMs(GRACE_MS) - 300);
    expect(ended).toBeLessThan(GRACE_MS);
    expect(await exited).toBe(0);

    // Both backend requests were cancelled, and the log says why the stream ended.
    const recent = (await models.stats()).recent.filter((r) => r.method === "POST");
    for (const id of ["shutdown-stream", "shutdown-slow"]) expect(recent.find((r) => r.headers["x-request-id"] === id)?.abortedAt).toBeNumber();
    const line = inference
      .output()
      .split("\n")
      .find((l) => l.includes('"request_id":"shutdown-stream"'));
    expect(JSON.parse(line ?? "{}")).toMatchObject({ msg: "request", status: 200, stream_error: "service_unavailable" });
    expect(inference.output()).toContain('"msg":"ended requests the shutdown would have cut off","resource":"model calls","count":2');
  }, 30_000);
});
