// A chat page on another origin streams completions through the gateway in headless Chromium (Debian's, driven by
// playwright-core): CORS, the stream read incrementally with fetch, and OpenAI's own SDK bundled for the browser.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import type { BrowserContext, Page } from "playwright-core";
import { launchChromium } from "../../lib/testing/chromium.ts";
import { type InferenceStack, startInferenceStack } from "./inference-stack.ts";

const MESSAGES = [{ role: "user" as const, content: "Stream this reply to the browser, one token at a time please." }];
const CADENCE_MS = 20;

describe("a chat page in Chromium → gateway (CORS) → inference → model server", () => {
  let dir: string;
  let page: Page;
  let site: ReturnType<typeof Bun.serve>;
  let stack: InferenceStack;
  let context: BrowserContext;
  let token: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "browser-chat-"));
    const built = await Bun.build({ entrypoints: [join(import.meta.dir, "browser-openai-entry.ts")], target: "browser", format: "esm" });
    if (!built.success) throw new Error(`bundling the SDK failed: ${built.logs.join("\n")}`);
    const sdk = await (built.outputs[0] as Blob).text();
    // The frontend's own origin: a page and its script, nothing else.
    site = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch: (req) =>
        new URL(req.url).pathname === "/sdk.js"
          ? new Response(sdk, { headers: { "content-type": "text/javascript" } })
          : new Response('<!doctype html><title>chat</title><script type="module" src="/sdk.js"></script>', { headers: { "content-type": "text/html" } }),
    });
    stack = await startInferenceStack({ cadenceMs: CADENCE_MS, gatewayEnv: { CORS_ORIGINS: `http://127.0.0.1:${site.port}` } });
    token = stack.userToken("inference:invoke");
    // One call first, as a replica in service has had: a process's first calls pay for compiling their path (a fresh
    // inference's first chat took 12-17 ms to its first byte, 2-4 ms after), time in which a stream's events bunch up.
    const warm = await fetch(`${stack.gateway.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "echo-chat", stream: true, max_tokens: 2, messages: MESSAGES }),
    });
    await warm.text();
    context = await launchChromium(join(dir, "chromium-profile"));
    page = await context.newPage();
    // What the page reports (a CORS refusal among them) goes into the test's output.
    page.on("console", (m) => console.log(`[page] ${m.type()}: ${m.text()}`));
    await page.goto(`http://127.0.0.1:${site.port}/`);
    await page.waitForFunction(() => "OpenAI" in globalThis);
  }, 180_000);

  afterAll(async () => {
    await context?.close();
    await stack?.stop();
    site?.stop(true);
    await rm(dir, { recursive: true, force: true });
  });

  test("fetch reads the stream as it is generated: every event, spread over the generation, ending in [DONE]", async () => {
    const got = await page.evaluate(
      async ({ gateway, token, messages }) => {
        const t0 = performance.now();
        const res = await fetch(`${gateway}/v1/chat/completions`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: JSON.stringify({ model: "echo-chat", stream: true, max_tokens: 20, messages }),
        });
        const events: { data: string; at: number }[] = [];
        const reader = (res.body as ReadableStream<Uint8Array>).getReader();
        const decoder = new TextDecoder();
        let buffered = "";
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          buffered += decoder.decode(value, { stream: true });
          for (let end = buffered.indexOf("\n\n"); end !== -1; end = buffered.indexOf("\n\n")) {
            events.push({ data: buffered.slice(0, end).replace(/^data: /, ""), at: performance.now() - t0 });
            buffered = buffered.slice(end + 2);
          }
        }
        return { status: res.status, requestId: res.headers.get("x-request-id"), type: res.headers.get("content-type"), events };
      },
      { gateway: stack.gateway.url, token, messages: MESSAGES },
    );
    expect(got.status).toBe(200);
    expect(got.type).toStartWith("text/event-stream");
    // Readable by the page only when the gateway exposes it (CORS).
    expect(got.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(got.events.at(-1)?.data).toBe("[DONE]");
    const tokens = got.events.slice(0, -1).map((e) => JSON.parse(e.data) as OpenAI.ChatCompletionChunk);
    expect(tokens.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe(await directText(20));
    // One token per CADENCE_MS: the tokens' arrivals span at least half of their generation (a stream held back anywhere
    // on the way arrives at once, a span near 0).
    const tokenEvents = got.events.filter((e) => e.data !== "[DONE]" && (JSON.parse(e.data) as OpenAI.ChatCompletionChunk).choices[0]?.delta.content);
    expect(tokenEvents.length).toBeGreaterThan(8);
    const span = (tokenEvents.at(-1)?.at as number) - (tokenEvents[0]?.at as number);
    expect(span).toBeGreaterThan(((tokenEvents.length - 1) * CADENCE_MS) / 2);
  });

  test("OpenAI's SDK in the page: a streamed chat as the model server generates it, and a refusal with its code", async () => {
    const got = await page.evaluate(
      async ({ gateway, token, messages }) => {
        const SDK = (globalThis as unknown as { OpenAI: typeof OpenAI }).OpenAI;
        const client = new SDK({ baseURL: `${gateway}/v1`, apiKey: token, dangerouslyAllowBrowser: true, maxRetries: 0 });
        let text = "";
        for await (const chunk of await client.chat.completions.create({ model: "echo-chat", messages, stream: true, max_tokens: 10 }))
          text += chunk.choices[0]?.delta.content ?? "";
        const refused = await client.chat.completions
          .create({ model: "no-such-model", messages })
          .then(() => undefined)
          .catch((e: { status?: number; code?: string; message?: string }) => ({ status: e.status, code: e.code, message: e.message }));
        return { text, refused };
      },
      { gateway: stack.gateway.url, token, messages: MESSAGES },
    );
    expect(got.text).toBe(await directText(10));
    expect(got.refused).toEqual({ status: 404, code: "model_not_found", message: expect.stringContaining("no-such-model") });
  });

  /** The reply the model server itself streams for MESSAGES, capped at `maxTokens`. */
  async function directText(maxTokens: number): Promise<string> {
    const direct = new OpenAI({ baseURL: `${stack.models.url}/v1`, apiKey: "unused", maxRetries: 0 });
    const d = await direct.chat.completions.create({ model: "echo-chat", messages: MESSAGES, max_tokens: maxTokens });
    const text = d.choices[0]?.message.content ?? "";
    expect(text.length).toBeGreaterThan(0);
    return text;
  }
});
