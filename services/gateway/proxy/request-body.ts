// The request body to forward: streamed when its length is declared (and within the limit), else read up to the limit first.
import { concatBytes } from "../../../lib/http/concat-bytes.ts";

export const TOO_LARGE = Symbol("body too large");
export const BAD_LENGTH = Symbol("bad content-length");

/**
 * A declared Content-Length over the limit is refused before a byte is read. A body without one (chunked) is
 * collected up to the limit, so a service never sees the start of a body the gateway then refuses; the limit
 * bounds that memory.
 */
export async function forwardableBody(
  req: Request,
  limitBytes: number,
): Promise<ReadableStream<Uint8Array> | Uint8Array | null | typeof TOO_LARGE | typeof BAD_LENGTH> {
  if (req.method === "GET" || req.method === "HEAD") return null;
  const declared = req.headers.get("content-length");
  if (declared !== null) {
    if (!/^\d{1,15}$/.test(declared)) return BAD_LENGTH;
    const n = Number(declared);
    if (n > limitBytes) return TOO_LARGE;
    return n === 0 ? null : req.body;
  }
  const body = req.body;
  if (body === null) return null;
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limitBytes) {
      await reader.cancel().catch(() => {});
      return TOO_LARGE;
    }
    chunks.push(value);
  }
  if (total === 0) return null;
  return concatBytes(chunks, total);
}

/** Early check on the declared length only (no reading), so oversized uploads are refused before authentication work. */
export function declaredTooLarge(req: Request, limitBytes: number): boolean {
  const declared = req.headers.get("content-length");
  return declared !== null && Number(declared) > limitBytes;
}
