// Reads a backend's response body ahead of its consumer under the idle limit (silence between chunks) and the call's end (total limit, client gone).
import { AppError } from "../../../lib/http/app-error.ts";
import type { Call } from "./call.ts";

/**
 * How far the pump reads ahead of a slow consumer. Bun's fetch throws away body bytes it has received but not yet
 * handed out when the connection is then reset, so chunks a dying model server did send are lost unless they were
 * read off the connection at once; beyond this window the pump waits for the consumer, so a slow client holds at most
 * this much per stream here (plus what the runtime and the socket buffer, ~4 MiB on loopback) and backpressure still
 * reaches the backend. 256 KiB holds some 1,700 chat chunk events of ~150 bytes, far more than a client that keeps up
 * is ever behind.
 */
export const READ_AHEAD_BYTES = 256 * 1024;

/** The backend's body broke off (a reset, a truncated chunk). */
export const brokeOff = (model: string) => new AppError("backend_error", { detail: `${model}: the model server broke off its answer.` });

/** The idle limit passed with nothing from the backend. */
export const idleTimeout = (model: string, idleMs: number) =>
  new AppError("backend_idle_timeout", { detail: `${model}: the model server sent nothing for ${idleMs} ms.` });

type Tail = { done: true } | { done: false; error: AppError };

export class BodyWatch {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  /** Chunks read off the connection, not yet handed out (from `head`). */
  private queue: Uint8Array[] = [];
  private head = 0;
  private queuedBytes = 0;
  /** How the backend's body ended (cleanly, broken, idle): handed out after the queued chunks. */
  private tail: Tail | undefined;
  /** The call ended (total limit, client gone): thrown at once, queued chunks or not. */
  private failed: AppError | undefined;
  private cancelled = false;
  private pumping = false;
  /** The consumer waiting for a chunk (one reader at a time). */
  private waiter: (() => void) | undefined;
  /** When the pump's pending read started (performance.now()), or -1 when none is pending: only the backend's silence counts. */
  private waitingSince = -1;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly onCallEnd = () => this.fail(this.call.failure());

  constructor(
    body: ReadableStream<Uint8Array>,
    private readonly idleMs: number,
    private readonly call: Call,
    private readonly model: string,
  ) {
    this.reader = body.getReader();
    if (call.signal.aborted) this.onCallEnd();
    else {
      call.signal.addEventListener("abort", this.onCallEnd, { once: true });
      void this.pump();
    }
  }

  /** The next chunk, or undefined at the end; throws the AppError that stopped it (idle, total, client gone, broken body). */
  async read(): Promise<Uint8Array | undefined> {
    for (;;) {
      if (this.failed) throw this.failed;
      if (this.head < this.queue.length) return this.take();
      if (this.tail) {
        this.close();
        if (this.tail.done) return undefined;
        throw this.tail.error;
      }
      if (this.cancelled) return undefined;
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
      });
    }
  }

  /** Stops reading and lets go of the backend's connection at once (the client left, or a cap was hit). */
  cancel(): void {
    this.cancelled = true;
    this.queue = [];
    this.head = 0;
    this.queuedBytes = 0;
    this.close();
    this.reader.cancel().catch(() => {});
    this.wake();
  }

  private take(): Uint8Array {
    const chunk = this.queue[this.head] as Uint8Array;
    this.queue[this.head++] = undefined as never;
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    }
    this.queuedBytes -= chunk.byteLength;
    if (!this.pumping && this.queuedBytes < READ_AHEAD_BYTES) void this.pump();
    return chunk;
  }

  /** Reads the backend's body as it arrives until it ends, fails, or the window is full (then the next take resumes it). */
  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      while (this.queuedBytes < READ_AHEAD_BYTES && !this.stopped()) {
        this.waitingSince = performance.now();
        this.timer ??= setTimeout(this.check, this.idleMs);
        let r: Awaited<ReturnType<ReadableStreamDefaultReader<Uint8Array>["read"]>>;
        try {
          r = await this.reader.read();
        } catch {
          if (!this.stopped()) this.end({ done: false, error: brokeOff(this.model) });
          return;
        } finally {
          this.waitingSince = -1;
        }
        if (this.stopped()) return;
        if (r.done) {
          this.end({ done: true });
          return;
        }
        if (r.value.byteLength === 0) continue;
        this.queue.push(r.value);
        this.queuedBytes += r.value.byteLength;
        this.wake();
      }
    } finally {
      this.pumping = false;
    }
  }

  private stopped(): boolean {
    return this.tail !== undefined || this.failed !== undefined || this.cancelled;
  }

  /** The idle limit: fires only while the pump has waited that long for the backend (a paused pump waits for no one). */
  private readonly check = () => {
    this.timer = undefined;
    if (this.stopped()) return;
    const waited = this.waitingSince < 0 ? 0 : performance.now() - this.waitingSince;
    if (waited >= this.idleMs - 1) {
      this.end({ done: false, error: idleTimeout(this.model, this.idleMs) });
      this.reader.cancel().catch(() => {});
      return;
    }
    this.timer = setTimeout(this.check, this.idleMs - waited);
  };

  /** The backend's body is over: the consumer gets what is queued, then this. */
  private end(tail: Tail): void {
    this.tail = tail;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.wake();
  }

  private fail(err: AppError): void {
    if (this.failed) return;
    this.failed = err;
    this.cancel();
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }

  private close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.call.signal.removeEventListener("abort", this.onCallEnd);
  }
}
