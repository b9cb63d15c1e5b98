// Joins byte chunks read from a body stream into one array (web-standard, so it runs on Bun and Deno alike).

/** The chunks back to back; `total` is their summed length when the caller counted it already. */
export function concatBytes(chunks: readonly Uint8Array[], total = chunks.reduce((n, c) => n + c.byteLength, 0)): Uint8Array {
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}
