// BodyWatch over real fetches on loopback: chunks received before a reset are never lost, the idle limit counts only the backend's silence.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { AppError } from "../../../lib/http/app-error.ts";
import { type BackendHandler, chatChunk, type ModelBackend, modelBackend } from "../testing/model-backend.ts";
import { BodyWatch, READ_AHEAD_BYTES } from "./body-watch.ts";
import { startCall } from "./call.ts";

const IDLE_MS = 150;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

let backend: ModelBackend;
beforeAll(() => {
  backend = modelBackend();
});
afterAll(() => backend.stop());

/** A fetch of the backend answering with `handler`, read through a BodyWatch under a long total limit. */
async function watched(handler: BackendHandler): Promise<{ watch: BodyWatch; client: AbortController }> {
  backend.set(handler);
  const client = new AbortController();
  const res = await fetch(backend.url, { signal: client.signal });
  return { watch: new BodyWatch(res.body as ReadableStream<Uint8Array>, IDLE_MS, startCall(client.signal, 30_000), "m"), client };
}

/** Every chunk until the end, and the failure that stopped it (if one did). */
async function drain(watch: BodyWatch): Promise<{ text: string; bytes: number; failure?: AppError }> {
  let text = "";
  let bytes = 0;
  try {
    for (let chunk = await watch.read(); chunk !== undefined; chunk = await watch.read()) {
      bytes += chunk.byteLength;
      text += decoder.decode(chunk, { stream: true });
    }
    return { text, bytes };
  } catch (err) {
    return { text, bytes, failure: err as AppError };
  }
}

/**
 * Sends `n` events 5 ms apart, then breaks the connection 20 ms after the last (the stream errors); `died` resolves then.
 * The gaps keep each chunk and the reset in separate deliveries on the client's side: Bun can also drop a chunk that
 * reaches its JS thread in the same delivery as the reset (oven-sh/bun#42261), which no reader can prevent.
 */
function diesAfter(n: number): { handler: BackendHandler; died: Promise<void> } {
  const { promise: died, resolve } = Promise.withResolvers<void>();
  let i = 0;
  const handler = () =>
    new Response(
      new ReadableStream<Uint8Array>({
        async pull(c) {
          if (i > 0) await Bun.sleep(i === n ? 20 : 5);
          if (i === n) {
            c.error(new Error("model server died"));
            resolve();
            return;
          }
          c.enqueue(encoder.encode(chatChunk("m", `t${i++}`)));
        },
      }),
      { headers: { "content-type": "text/event-stream" } },
    );
  return { handler, died };
}

describe("read-ahead", () => {
  test("a backend that sends its chunks and resets: a reader starting after the reset still gets every chunk, then backend_error", async () => {
    const { handler, died } = diesAfter(5);
    const { watch } = await watched(handler);
    await died;
    await Bun.sleep(50); // the reset has reached the client's side before anyone reads
    const { text, failure } = await drain(watch);
    expect(text).toBe(Array.from({ length: 5 }, (_, i) => chatChunk("m", `t${i}`)).join(""));
    expect(failure?.code).toBe("backend_error");
  });

  test("a slow reader does not trip the idle limit: 4 MiB, paused for 3× the limit mid-way, all arrive", async () => {
    const total = 4 * 1024 * 1024;
    const { watch } = await watched(() => new Response(new Uint8Array(total).fill(120)));
    const first = await watch.read();
    await Bun.sleep(3 * IDLE_MS);
    const rest = await drain(watch);
    expect(rest.failure).toBeUndefined();
    expect((first?.byteLength ?? 0) + rest.bytes).toBe(total);
  });

  test("a silent backend trips the idle limit while the reader is away: the chunk it sent first, then backend_idle_timeout", async () => {
    const { watch } = await watched(
      () =>
        new Response(new ReadableStream<Uint8Array>({ start: (c) => c.enqueue(encoder.encode(chatChunk("m", "only"))) }), {
          headers: { "content-type": "text/event-stream" },
        }),
    );
    await Bun.sleep(IDLE_MS + 100); // the backend has been silent longer than the limit
    const t0 = performance.now();
    const { text, failure } = await drain(watch);
    expect(text).toBe(chatChunk("m", "only"));
    expect(failure?.code).toBe("backend_idle_timeout");
    expect(performance.now() - t0).toBeLessThan(IDLE_MS / 2); // recorded when it happened, not timed again from the late read
  });

  test("the client going away fails the next read at once, queued chunks or not, and cancels the backend's answer", async () => {
    let cancelled = false;
    const { watch, client } = await watched(
      () =>
        new Response(
          new ReadableStream<Uint8Array>({
            start: (c) => c.enqueue(encoder.encode(chatChunk("m", "queued"))),
            cancel: () => {
              cancelled = true;
            },
          }),
        ),
    );
    await Bun.sleep(20);
    client.abort();
    await expect(watch.read()).rejects.toMatchObject({ code: "client_closed_request" });
    for (let i = 0; i < 20 && !cancelled; i++) await Bun.sleep(5);
    expect(cancelled).toBe(true);
  });
});

describe("read-ahead window", () => {
  test("reads ahead at most the window while nobody reads, and goes on once the reader drains it", async () => {
    const CHUNK = 16 * 1024;
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>(
      {
        pull(c) {
          pulled += CHUNK;
          c.enqueue(new Uint8Array(CHUNK));
        },
      },
      { highWaterMark: 0 },
    );
    const watch = new BodyWatch(body, 10_000, startCall(new AbortController().signal, 30_000), "m");
    await Bun.sleep(50);
    expect(pulled).toBeGreaterThanOrEqual(READ_AHEAD_BYTES);
    expect(pulled).toBeLessThanOrEqual(READ_AHEAD_BYTES + CHUNK);
    const before = pulled;
    for (let read = 0; read < READ_AHEAD_BYTES; ) read += (await watch.read())?.byteLength ?? 0;
    await Bun.sleep(20);
    expect(pulled).toBeGreaterThan(before);
    expect(pulled).toBeLessThanOrEqual(2 * READ_AHEAD_BYTES + CHUNK);
    watch.cancel();
  });
});
