// A stream in flight keeps no reference to the request body it started with: the body (up to the model's cap, often a
// long prompt) would otherwise stay in memory until the stream ends, once per stream in flight.
import { expect, test } from "bun:test";
import { inferenceHarness } from "../testing/harness.ts";
import { chatStream, defaultAnswer, modelBackend } from "../testing/model-backend.ts";

test("while a stream is in flight, its request body can be collected", async () => {
  const tokens = Array.from({ length: 40 }, (_, i) => `t${i} `);
  const backend = modelBackend((req, body) => (req.method === "POST" ? chatStream("chat", tokens, 25) : defaultAnswer(req, body)));
  // A usage hook that keeps nothing: what stays reachable is then only what the call's own code holds.
  const bodies: WeakRef<object>[] = [];
  const h = await inferenceHarness(
    { chat: { protocol: "openai", backends: [{ url: backend.url }] } },
    {},
    {
      openaiUsage: ({ body }) => {
        bodies.push(new WeakRef(body));
        return { settle: () => undefined };
      },
    },
  );
  try {
    const res = await h.post("/v1/chat/completions", { model: "chat", stream: true, messages: [{ role: "user", content: "words ".repeat(20_000) }] });
    expect(res.status).toBe(200);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    const first = await reader.read();
    expect(first.done).toBe(false);
    let text = decoder.decode(first.value, { stream: true });
    expect(bodies).toHaveLength(1);
    // The stream runs for about a second more; a few full collections within it.
    let collected = false;
    for (let i = 0; i < 10 && !collected; i++) {
      Bun.gc(true);
      await Bun.sleep(5);
      collected = bodies[0]?.deref() === undefined;
    }
    expect(collected).toBe(true);
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    expect(text).toContain("t39 ");
    expect(text).toContain("data: [DONE]");
  } finally {
    await h.close();
    await backend.stop();
  }
});
