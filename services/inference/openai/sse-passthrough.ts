// Streams a backend's Server-Sent Events to the client line-whole and unbuffered; a failure mid-stream ends in an OpenAI error event.
import type { AppError } from "../../../lib/http/app-error.ts";
import { concatBytes } from "../../../lib/http/concat-bytes.ts";
import { openAiErrorEvent } from "../../../lib/http/openai-error.ts";
import { pullStream } from "../../../lib/http/pull-stream.ts";
import type { BodyWatch } from "../forward/body-watch.ts";
import type { StreamTap } from "../hooks.ts";

const NL = 10;
const encoder = new TextEncoder();

export interface PassthroughOptions {
  model: string;
  maxLineBytes: number;
  maxBytes: number;
  tap?: StreamTap;
  /** Called once: ok after `data: [DONE]` and a clean end; otherwise with the failure (undefined: the client left). */
  onEnd(outcome: { ok: boolean; failure?: AppError; bytes: number }): void;
  /** Turns a failure into the problem it stands for (the caller's AppError factory, so codes stay in one place). */
  lineTooLong(limit: number): AppError;
  tooLarge(limit: number): AppError;
  truncated(): AppError;
}

/**
 * Forwards only complete lines (up to the chunk's last newline; the rest waits for its end), so a failure never leaves
 * half an event at the client and the line cap can be enforced. `first` is the chunk already read (the caller waits
 * for it before committing to a 200). The stream is done when `data: [DONE]` was seen and the backend closed.
 */
export function ssePassthrough(first: Uint8Array | undefined, watch: BodyWatch, opts: PassthroughOptions): ReadableStream<Uint8Array> {
  let pending: Uint8Array | undefined; // an incomplete line
  let bytes = 0;
  let sawDone = false;
  let atEventEnd = true; // the last bytes forwarded were a blank line (or nothing yet)
  let ended = false;
  let firstChunk = first;
  const end = (outcome: { ok: boolean; failure?: AppError }) => {
    if (ended) return;
    ended = true;
    opts.onEnd({ ...outcome, bytes });
  };

  /** The complete lines of `chunk` joined to what was pending; throws on a line over the cap. */
  const completeLines = (chunk: Uint8Array): Uint8Array | undefined => {
    const last = chunk.lastIndexOf(NL);
    if (last === -1) {
      pending = join(pending, chunk);
      if (pending.byteLength > opts.maxLineBytes) throw opts.lineTooLong(opts.maxLineBytes);
      return undefined;
    }
    const lines = join(pending, chunk.subarray(0, last + 1));
    pending = last + 1 < chunk.byteLength ? chunk.slice(last + 1) : undefined;
    let from = 0;
    for (let nl = lines.indexOf(NL); nl !== -1; nl = lines.indexOf(NL, from)) {
      if (nl - from > opts.maxLineBytes) throw opts.lineTooLong(opts.maxLineBytes);
      from = nl + 1;
    }
    if (pending && pending.byteLength > opts.maxLineBytes) throw opts.lineTooLong(opts.maxLineBytes);
    if (!sawDone && includesDone(lines)) sawDone = true;
    return lines;
  };

  /**
   * Hands the client its next bytes through `emit` (or the end): true while the stream goes on, false once it has
   * ended (cleanly, or with an error event after the failure). Never throws.
   */
  const step = async (emit: (bytes: Uint8Array) => void): Promise<boolean> => {
    const forward = (out: Uint8Array | undefined): boolean => {
      if (out === undefined || out.byteLength === 0) return false;
      emit(out);
      atEventEnd = out.byteLength >= 2 && out[out.byteLength - 1] === NL && out[out.byteLength - 2] === NL;
      return true;
    };
    try {
      // Until something is forwarded: a pull that enqueues nothing would not be pulled again.
      for (;;) {
        const chunk = firstChunk ?? (await watch.read());
        firstChunk = undefined;
        if (chunk === undefined) {
          if (pending) forward(completeLines(encoder.encode("\n")) ?? undefined);
          if (!sawDone) throw opts.truncated();
          forward(opts.tap?.end?.());
          end({ ok: true });
          return false;
        }
        bytes += chunk.byteLength;
        if (bytes > opts.maxBytes) throw opts.tooLarge(opts.maxBytes);
        const lines = completeLines(chunk);
        if (forward(lines && opts.tap ? opts.tap.chunk(lines) : lines)) return true;
      }
    } catch (err) {
      watch.cancel();
      const failure = err as AppError;
      // A blank line first when an event is open, so the client dispatches it whole before the error event.
      if (!atEventEnd) emit(encoder.encode("\n"));
      emit(openAiErrorEvent(failure.code, failure.detail));
      end({ ok: false, failure });
      return false;
    }
  };
  // The client went away: the backend's connection is let go at once, which cancels its generation.
  const cancel = () => {
    watch.cancel();
    end({ ok: false });
  };

  return pullStream(step, cancel);
}

function join(a: Uint8Array | undefined, b: Uint8Array): Uint8Array {
  return a === undefined || a.byteLength === 0 ? b : concatBytes([a, b]);
}

const DONE = encoder.encode("data: [DONE]");

function includesDone(lines: Uint8Array): boolean {
  const at = lines.indexOf(DONE[0] as number, Math.max(0, lines.byteLength - 64));
  if (at === -1) return false;
  for (let i = at; i + DONE.byteLength <= lines.byteLength; i++) {
    let match = true;
    for (let k = 0; k < DONE.byteLength; k++) {
      if (lines[i + k] !== DONE[k]) {
        match = false;
        break;
      }
    }
    if (match) return true;
  }
  return false;
}
