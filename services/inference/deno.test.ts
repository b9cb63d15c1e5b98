// Inference on Deno: the service holds no state and uses web-standard APIs, so its real entrypoint runs under Deno (from npm
// when not installed: lib/testing/deno.ts) in front of a model backend, answering as it does on Bun.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { resolve } from "node:path";
import { denoBinary } from "../../lib/testing/deno.ts";
import { exerciseInference, type RunningInference, startInferenceProcess } from "./testing/process-scenario.ts";

const ROOT = resolve(import.meta.dir, "../..");

describe("inference on Deno", () => {
  let r: RunningInference;
  beforeAll(async () => {
    r = await startInferenceProcess([await denoBinary(), "run", "--allow-all", "services/inference/main.ts"], ROOT, { DENO_NO_UPDATE_CHECK: "1" });
  }, 120_000); // includes installing Deno from npm on a machine without it

  afterAll(() => r?.stop());

  test("OIP and streamed OpenAI calls through the process; no token → 401", () => exerciseInference(r));

  test("SIGTERM: a clean exit", async () => {
    expect(await r.service.stop("SIGTERM")).toBe(0);
  });
});
