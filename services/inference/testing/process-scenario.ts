// Test helper: the inference entrypoint as a real process (Bun or Deno) in front of a model backend, and what it must do there.
import { expect } from "bun:test";
import { generateDevKeyPair } from "../../../lib/auth/dev-keys.ts";
import { createInternalTokenMinter } from "../../../lib/auth/internal-token.ts";
import { type ServiceProcess, startService } from "../../../lib/testing/service-process.ts";
import { chatChunk, chatStream, defaultAnswer, type ModelBackend, modelBackend } from "./model-backend.ts";

export interface RunningInference {
  service: ServiceProcess;
  backend: ModelBackend;
  token: string;
  stop(): Promise<void>;
}

export async function startInferenceProcess(cmd: string[], cwd: string, env: Record<string, string> = {}): Promise<RunningInference> {
  const backend = modelBackend((req, body) =>
    new URL(req.url).pathname === "/v1/chat/completions" ? chatStream("echo-chat", ["a", "b", "c"], 5) : defaultAnswer(req, body),
  );
  const keys = await generateDevKeyPair("inference-process");
  const service = await startService(
    cmd,
    {
      INTERNAL_AUTH_JWKS: JSON.stringify(keys.jwks),
      INFERENCE_MODELS: JSON.stringify({
        "lang-id": { protocol: "oip-v2", backends: [{ url: backend.url }] },
        "echo-chat": { protocol: "openai", backends: [{ url: backend.url, apiKeyEnv: "ECHO_KEY" }] },
      }),
      ECHO_KEY: "echo-secret",
      DRAIN_DELAY_MS: "0",
      LOG_LEVEL: "warn",
      ...env,
    },
    { cwd, readyPath: "/readyz", timeoutMs: 30_000 },
  );
  const token = await (await createInternalTokenMinter(keys.privateJwk))({
    audience: "inference",
    subject: "alice",
    scopes: ["inference:invoke"],
    ttlSeconds: 60,
  });
  return {
    service,
    backend,
    token,
    stop: async () => {
      await service.stop("SIGKILL");
      await backend.stop();
    },
  };
}

/** An OIP call and a streamed chat completion through the process, as a client would make them. */
export async function exerciseInference(r: RunningInference): Promise<void> {
  const auth = { authorization: `Bearer ${r.token}`, "content-type": "application/json" };
  const body = { id: "p-1", inputs: [{ name: "t", shape: [1], datatype: "BYTES", data: ["hello"] }] };
  const res = await fetch(`${r.service.url}/v1/models/lang-id/infer`, { method: "POST", headers: auth, body: JSON.stringify(body) });
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ model_name: "lang-id", id: "p-1", outputs: [{ name: "t_out", shape: [1], datatype: "BYTES", data: ["hello"] }] });

  const stream = await fetch(`${r.service.url}/v1/chat/completions`, {
    method: "POST",
    headers: auth,
    body: JSON.stringify({ model: "echo-chat", messages: [{ role: "user", content: "hi" }], stream: true }),
  });
  expect(stream.status).toBe(200);
  expect(stream.headers.get("x-accel-buffering")).toBe("no");
  expect(await stream.text()).toBe(`${["a", "b", "c"].map((t) => chatChunk("echo-chat", t)).join("")}data: [DONE]\n\n`);
  expect(r.backend.calls().at(-1)?.headers.authorization).toBe("Bearer echo-secret");

  const refused = await fetch(`${r.service.url}/v1/models`);
  expect(refused.status).toBe(401);
  expect(refused.headers.get("content-type")).toBe("application/problem+json");
}
