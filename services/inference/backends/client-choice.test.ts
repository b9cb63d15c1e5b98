// Which client carries a whole-answer call (clientFor): undici while it is its backend's only call, Bun's fetch beside others.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type Harness, inferenceHarness } from "../testing/harness.ts";
import { defaultAnswer, type ModelBackend, modelBackend } from "../testing/model-backend.ts";

const body = { id: "c", inputs: [{ name: "t", shape: [1], datatype: "BYTES", data: ["x"] }] };
// Bun's fetch names itself in User-Agent; undici's pool sends none: the model server tells the two clients apart by it.
const viaFetch = (headers: Record<string, string>) => (headers["user-agent"] ?? "").startsWith("Bun/");

let backend: ModelBackend;
let h: Harness;
beforeAll(async () => {
  // Each infer answer waits 40 ms, so calls sent together are in flight together.
  backend = modelBackend(async (req, b) => {
    if (req.url.endsWith("/infer")) await Bun.sleep(40);
    return defaultAnswer(req, b);
  });
  h = await inferenceHarness({ m: { protocol: "oip-v2", backends: [{ url: backend.url }] } });
});
afterAll(async () => {
  await h.close();
  await backend.stop();
});

describe("the client of a whole-answer call", () => {
  test("one call at a time: undici carries each; sixteen at once: Bun's fetch carries those beside others; the answers are the same", async () => {
    const one: string[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await h.post("/v1/models/m/infer", body);
      expect(res.status).toBe(200);
      one.push(await res.text());
    }
    const alone = backend.calls();
    expect(alone).toHaveLength(4);
    expect(alone.filter((c) => viaFetch(c.headers))).toHaveLength(0);

    const many = await Promise.all(
      Array.from({ length: 16 }, async () => {
        const res = await h.post("/v1/models/m/infer", body);
        expect(res.status).toBe(200);
        return res.text();
      }),
    );
    const together = backend.calls().slice(4);
    expect(together).toHaveLength(16);
    // The first may find the backend idle; every call sent while another is in flight goes through fetch.
    expect(together.filter((c) => viaFetch(c.headers)).length).toBeGreaterThanOrEqual(15);
    expect(new Set([...one, ...many]).size).toBe(1);
  });
});
