// The inference process as deployed: a bad registry stops startup with every problem listed; a good one serves, then stops on SIGTERM.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { resolve } from "node:path";
import { exerciseInference, type RunningInference, startInferenceProcess } from "./testing/process-scenario.ts";

const ROOT = resolve(import.meta.dir, "../..");

describe("inference startup configuration", () => {
  test("SSRF-prone backends and an unknown protocol stop startup with one message listing every problem", async () => {
    const proc = Bun.spawn(["bun", "services/inference/main.ts"], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? "",
        INFERENCE_MODELS: JSON.stringify({
          a: { protocol: "grpc", backends: [{ url: "http://0xa9fea9fe/" }] },
          b: { protocol: "openai", backends: [{ url: "http://admin:pw@10.0.0.1:8000" }, { url: "http://[fd00:ec2::254]/" }] },
        }),
      },
      stdout: "pipe",
      stderr: "pipe",
    });
    const [code, stderr] = await Promise.all([proc.exited, new Response(proc.stderr as ReadableStream).text()]);
    expect(code).toBe(1);
    expect(stderr).toContain("inference: invalid configuration (5 problems)");
    expect(stderr).toContain("INFERENCE_MODELS.a.protocol");
    expect(stderr).toContain("INFERENCE_MODELS.a.backends.0.url: host 169.254.169.254 is a link-local or cloud metadata address");
    expect(stderr).toContain("INFERENCE_MODELS.b.backends.0.url: credentials in the URL are not allowed");
    expect(stderr).toContain("INFERENCE_MODELS.b.backends.1.url: host [fd00:ec2::254] is a link-local or cloud metadata address");
    expect(stderr).toContain("INTERNAL_AUTH_JWKS: required but not set");
    expect(stderr).not.toContain("    at ");
  });
});

describe("inference on Bun", () => {
  let r: RunningInference;
  beforeAll(async () => {
    r = await startInferenceProcess(["bun", "services/inference/main.ts"], ROOT);
  }, 30_000);
  afterAll(() => r?.stop());

  test("OIP and streamed OpenAI calls through the process; no token → 401", () => exerciseInference(r));

  test("SIGTERM: a clean exit", async () => {
    expect(await r.service.stop("SIGTERM")).toBe(0);
  });
});
