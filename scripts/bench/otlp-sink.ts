// A tiny local OTLP/HTTP traces sink for benchmarks: accepts and discards exports (protobuf or JSON), counting spans.

/** Counts the spans in an ExportTraceServiceRequest (protobuf): resource_spans(1) → scope_spans(2) → spans(2). */
export function countProtobufSpans(buf: Uint8Array): number {
  let spans = 0;
  walk(buf, (field, rs) => {
    if (field !== 1) return;
    walk(rs, (f2, ss) => {
      if (f2 !== 2) return;
      walk(ss, (f3) => {
        if (f3 === 2) spans++;
      });
    });
  });
  return spans;
}

/** Calls `onBytes(field, bytes)` for each length-delimited field of a message; skips the other wire types. */
function walk(buf: Uint8Array, onBytes: (field: number, bytes: Uint8Array) => void): void {
  let i = 0;
  const varint = () => {
    let n = 0;
    let shift = 1;
    for (;;) {
      const b = buf[i++] as number;
      n += (b & 0x7f) * shift;
      if (b < 0x80) return n;
      shift *= 128;
    }
  };
  while (i < buf.length) {
    const key = varint();
    const field = Math.floor(key / 8);
    switch (key & 7) {
      case 0:
        varint();
        break;
      case 1:
        i += 8;
        break;
      case 5:
        i += 4;
        break;
      case 2: {
        const len = varint();
        onBytes(field, buf.subarray(i, i + len));
        i += len;
        break;
      }
      default:
        return; // groups (3, 4) are not used by OTLP
    }
  }
}

export function startOtlpSink() {
  let spans = 0;
  let exports = 0;
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      const body = new Uint8Array(await req.arrayBuffer());
      exports++;
      if ((req.headers.get("content-type") ?? "").includes("json")) {
        const doc = JSON.parse(new TextDecoder().decode(body)) as { resourceSpans?: { scopeSpans?: { spans?: unknown[] }[] }[] };
        for (const rs of doc.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) spans += ss.spans?.length ?? 0;
        return Response.json({});
      }
      spans += countProtobufSpans(body);
      return new Response(new Uint8Array(), { headers: { "content-type": "application/x-protobuf" } });
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    spans: () => spans,
    exports: () => exports,
    stop: () => server.stop(true),
  };
}
