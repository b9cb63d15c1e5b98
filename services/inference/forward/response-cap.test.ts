// The response size cap: a backend answer over the model's limit is 502 backend_response_too_large, declared or streamed.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { type Harness, inferenceHarness } from "../testing/harness.ts";
import { type ModelBackend, modelBackend } from "../testing/model-backend.ts";

const CAP = 64 * 1024;
let backend: ModelBackend;
let h: Harness;
let cancelled = 0;
beforeAll(async () => {
  const big = "x".repeat(CAP + 1);
  backend = modelBackend((req) => {
    if (req.headers.get("x-request-id") === "declared")
      return new Response(JSON.stringify({ outputs: [], pad: big }), { headers: { "content-type": "application/json" } });
    // Unknown length, and it would go on for ever: the service must stop reading at the cap.
    return new Response(
      new ReadableStream<Uint8Array>({
        pull(c) {
          c.enqueue(new Uint8Array(16 * 1024).fill(32));
        },
        cancel() {
          cancelled++;
        },
      }),
      { headers: { "content-type": "application/json" } },
    );
  });
  h = await inferenceHarness({ m: { protocol: "oip-v2", backends: [{ url: backend.url }], maxResponseBytes: CAP } });
});
afterAll(async () => {
  await h.close();
  await backend.stop();
});

test("over the cap with a declared length, and an endless chunked answer → 502 backend_response_too_large", async () => {
  const body = { inputs: [{ name: "t", shape: [1], datatype: "BYTES", data: ["x"] }] };
  for (const id of ["declared", "chunked"]) {
    const res = await h.post("/v1/models/m/infer", body, { headers: { "x-request-id": id } });
    expect(res.status).toBe(502);
    expect((await res.json()).code).toBe("backend_response_too_large");
  }
  for (let i = 0; i < 40 && cancelled === 0; i++) await Bun.sleep(5);
  expect(cancelled).toBe(1);
});
