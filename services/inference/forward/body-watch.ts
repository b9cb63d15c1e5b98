// Reads a backend's response body under the idle limit (silence between chunks) and the call's end (total limit, client gone).
import { AppError } from "../../../lib/http/app-error.ts";
import { concatBytes } from "../../../lib/http/concat-bytes.ts";
import type { Call } from "./call.ts";

export class BodyWatch {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private failed: AppError | undefined;
  /** When the pending read started (performance.now()), or -1 when none is pending: only the backend's silence counts. */
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
    else call.signal.addEventListener("abort", this.onCallEnd, { once: true });
  }

  /** The next chunk, or undefined at the end; throws the AppError that stopped it (idle, total, client gone, broken body). */
  async read(): Promise<Uint8Array | undefined> {
    if (this.failed) throw this.failed;
    this.waitingSince = performance.now();
    this.timer ??= setTimeout(this.check, this.idleMs);
    let r: Awaited<ReturnType<ReadableStreamDefaultReader<Uint8Array>["read"]>>;
    try {
      r = await this.reader.read();
    } catch {
      this.fail(new AppError("backend_error", { detail: `${this.model}: the model server broke off its answer.` }));
      throw this.failed;
    } finally {
      this.waitingSince = -1;
    }
    if (this.failed) throw this.failed;
    if (r.done) {
      this.close();
      return undefined;
    }
    return r.value;
  }

  /** Stops reading and lets go of the backend's connection (the client left, or a cap was hit). */
  cancel(): void {
    this.close();
    this.reader.cancel().catch(() => {});
  }

  private readonly check = () => {
    this.timer = undefined;
    if (this.failed) return;
    const waited = this.waitingSince < 0 ? 0 : performance.now() - this.waitingSince;
    if (waited >= this.idleMs - 1) {
      this.fail(new AppError("backend_idle_timeout", { detail: `${this.model}: the model server sent nothing for ${this.idleMs} ms.` }));
      return;
    }
    this.timer = setTimeout(this.check, this.idleMs - waited);
  };

  private fail(err: AppError): void {
    if (this.failed) return;
    this.failed = err;
    this.cancel();
  }

  private close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.call.signal.removeEventListener("abort", this.onCallEnd);
  }
}

/** The whole body, up to `maxBytes` (502 backend_response_too_large beyond). */
export async function readAll(watch: BodyWatch, maxBytes: number, model: string): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (let chunk = await watch.read(); chunk !== undefined; chunk = await watch.read()) {
    total += chunk.byteLength;
    if (total > maxBytes) {
      watch.cancel();
      throw new AppError("backend_response_too_large", { detail: `${model}: the model server's answer exceeds ${maxBytes} bytes.` });
    }
    chunks.push(chunk);
  }
  return chunks.length === 0 ? new Uint8Array(0) : concatBytes(chunks, total);
}
