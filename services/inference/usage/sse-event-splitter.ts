// Splits a Server-Sent Events byte stream into whole events without copying, so each can be kept, dropped or preceded.
import { concatBytes } from "../../../lib/http/concat-bytes.ts";

const LF = 0x0a;
const CR = 0x0d;

/** What to do with one event: keep it, drop it, or keep it after inserting the given bytes before it. */
export const KEEP = 0;
export const DROP = 1;
export type EventDecision = typeof KEEP | typeof DROP | Uint8Array;

/** A stream that breaks the framing limits: one line, or one event, longer than allowed. */
export class SseFramingError extends Error {
  constructor(
    readonly kind: "line_too_long" | "event_too_large",
    readonly limitBytes: number,
  ) {
    super(kind === "line_too_long" ? `an SSE line is longer than ${limitBytes} bytes` : `an SSE event is larger than ${limitBytes} bytes`);
    this.name = "SseFramingError";
  }
}

export interface SseSplitter {
  /**
   * Feeds one network chunk. Calls `decide` for every event it completes (the event's bytes including its blank line:
   * a view into `chunk` when the event lies inside it, else a copy) and returns the bytes to forward now: a view of
   * `chunk` when every event was kept and it ends on an event boundary (the common case), nothing when all was held.
   * The bytes of an unfinished event are held until its blank line arrives: no more than one event is ever waited for.
   * Throws SseFramingError past a limit.
   */
  push(chunk: Uint8Array, decide: (event: Uint8Array) => EventDecision): Uint8Array | undefined;
  /** At the end of the stream: the held bytes of an unterminated event, if any (decided like the others). */
  end(decide: (event: Uint8Array) => EventDecision): Uint8Array | undefined;
}

export function createSseSplitter(maxLineBytes: number, maxEventBytes: number): SseSplitter {
  let held: Uint8Array[] = []; // the unfinished event's bytes from earlier chunks
  let heldLen = 0;
  let lineLen = 0; // bytes of the current line so far, across chunks
  // A chunk that ended in CR may be followed by the LF of the same line break: where that LF belongs.
  let pendingLF: "none" | "event" | "kept" | "dropped" = "none";

  const take = (): Uint8Array[] => {
    const h = held;
    held = [];
    heldLen = 0;
    return h;
  };

  return {
    push(chunk, decide) {
      const len = chunk.length;
      if (len === 0) return undefined;
      const out: Uint8Array[] = [];
      let pos = 0;
      let keepFrom = 0; // start of the run of bytes to forward that is not yet in `out`
      let evStart = 0; // start of the current event in this chunk (held bytes come before it)
      if (pendingLF !== "none" && len > 0 && chunk[0] === LF) {
        pos = 1;
        if (pendingLF !== "event") evStart = 1; // the LF closes an event already decided: forward or drop it alike
        if (pendingLF === "dropped") keepFrom = 1;
      }
      pendingLF = "none";
      let nextLF = -2;
      let nextCR = -2;
      while (pos < len) {
        if (nextLF !== -1 && nextLF < pos) nextLF = chunk.indexOf(LF, pos);
        if (nextCR !== -1 && nextCR < pos) nextCR = chunk.indexOf(CR, pos);
        const t = nextLF === -1 ? nextCR : nextCR === -1 ? nextLF : Math.min(nextLF, nextCR);
        if (t === -1) {
          lineLen += len - pos;
          if (lineLen > maxLineBytes) throw new SseFramingError("line_too_long", maxLineBytes);
          break;
        }
        lineLen += t - pos;
        if (lineLen > maxLineBytes) throw new SseFramingError("line_too_long", maxLineBytes);
        let end = t + 1;
        const crAtEnd = chunk[t] === CR && end === len;
        if (chunk[t] === CR && end < len && chunk[end] === LF) end++;
        const blank = lineLen === 0;
        lineLen = 0;
        pos = end;
        if (!blank) {
          if (crAtEnd) pendingLF = "event";
          continue;
        }
        // A blank line: the event is complete.
        const before = heldLen > 0 ? take() : undefined;
        const event = before ? concatBytes([...before, chunk.subarray(evStart, end)]) : chunk.subarray(evStart, end);
        const d = decide(event);
        if (d === DROP) {
          if (evStart > keepFrom) out.push(chunk.subarray(keepFrom, evStart));
          keepFrom = end;
        } else {
          if (d !== KEEP) {
            if (evStart > keepFrom) out.push(chunk.subarray(keepFrom, evStart));
            out.push(d);
            keepFrom = evStart;
          }
          // Held bytes precede this chunk's run, which then starts at 0 (an unfinished event means evStart was 0).
          if (before) out.push(...before);
        }
        if (crAtEnd) pendingLF = d === DROP ? "dropped" : "kept";
        evStart = end;
      }
      if (evStart > keepFrom) out.push(chunk.subarray(keepFrom, evStart));
      if (evStart < len) {
        heldLen += len - evStart;
        if (heldLen > maxEventBytes) throw new SseFramingError("event_too_large", maxEventBytes);
        held.push(chunk.subarray(evStart));
      }
      // One piece is a view (the whole chunk in the common case): nothing is copied unless events were split or dropped.
      return out.length === 0 ? undefined : concatBytes(out);
    },
    end(decide) {
      if (heldLen === 0) return undefined;
      const event = concatBytes(take());
      const d = decide(event);
      if (d === DROP) return undefined;
      return d === KEEP ? event : concatBytes([d, event]);
    },
  };
}
