// A backend's complete (non-streamed) body under the idle limit, the call's end and the size cap, read as it arrives.
import { AppError } from "../../../lib/http/app-error.ts";
import { concatBytes } from "../../../lib/http/concat-bytes.ts";
import { brokeOff, idleTimeout } from "./body-watch.ts";
import type { Call } from "./call.ts";

/**
 * The limits BodyWatch applies to a stream, without its read-ahead queue: a whole answer has no consumer to run ahead
 * of, and the queue, its pump and its waiter cost about 5 % of the CPU of an infer call (bench:inference's profile).
 */
export async function readWhole(body: ReadableStream<Uint8Array>, idleMs: number, call: Call, model: string, maxBytes: number): Promise<Uint8Array> {
  const reader = body.getReader();
  let failure: AppError | undefined;
  const stop = (err: AppError) => {
    if (failure) return;
    failure = err;
    reader.cancel().catch(() => {});
  };
  const onCallEnd = () => stop(call.failure());
  let lastChunk = performance.now();
  // One timer, moved on only when it fires: a chunk just records its time.
  const check = () => {
    const waited = performance.now() - lastChunk;
    if (waited >= idleMs - 1) stop(idleTimeout(model, idleMs));
    else timer = setTimeout(check, idleMs - waited);
  };
  let timer = setTimeout(check, idleMs);
  if (call.signal.aborted) onCallEnd();
  else call.signal.addEventListener("abort", onCallEnd, { once: true });
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      let r: Awaited<ReturnType<typeof reader.read>>;
      try {
        r = await reader.read();
      } catch {
        throw failure ?? brokeOff(model);
      }
      if (failure) throw failure;
      if (r.done) break;
      lastChunk = performance.now();
      total += r.value.byteLength;
      if (total > maxBytes) {
        stop(new AppError("backend_response_too_large", { detail: `${model}: the model server's answer exceeds ${maxBytes} bytes.` }));
        throw failure;
      }
      chunks.push(r.value);
    }
  } finally {
    clearTimeout(timer);
    call.signal.removeEventListener("abort", onCallEnd);
  }
  return chunks.length === 1 ? (chunks[0] as Uint8Array) : concatBytes(chunks, total);
}

/**
 * Bodies of a declared length up to this are read with bytes() (readDeclared): natively, without a JS stream, reader
 * and read loop, whose code an infer call otherwise runs cold at c=1. The idle limit then bounds the whole read from
 * the headers on rather than each gap between chunks: the same limit unless a backend trickles these few bytes out
 * slower than 64 KiB per idle period (2 KiB/s at the default 30 s). Longer bodies are read chunk by chunk (readWhole).
 */
export const DECLARED_READ_MAX_BYTES = 64 * 1024;

/**
 * A body whose declared length is within the cap, read whole by the runtime. The idle timer stops the call, and the
 * call's signal aborts the fetch the body belongs to (dispatch's `signalCoversBody`): the read rejects at once.
 */
export async function readDeclared(res: Response, idleMs: number, call: Call, model: string): Promise<Uint8Array> {
  const timer = setTimeout(() => call.stop(idleTimeout(model, idleMs)), idleMs);
  try {
    return await res.bytes();
  } catch {
    throw call.signal.aborted ? call.failure() : brokeOff(model);
  } finally {
    clearTimeout(timer);
  }
}
