// Whether a JSON object's top-level members already hold given strings, read off its bytes without parsing it.
//
// An OIP answer must carry the request's id; a backend that follows the protocol echoes it already, and then the
// answer can go out as it came instead of being decoded, parsed and compared. (That step and building the response
// took 10.9-11.2 us of an infer call at c=1, stage marks on a 2-core machine; the parse's share was not measured
// alone. With the plain body check, the change took 34 us off c=1 in an A/B.) A member counts only at the top level,
// so the same pair inside `parameters` or an output does not; a value written another way than JSON.stringify writes
// it (spaces, escapes) reads as different, and the caller then parses, as it always did. It does not validate the
// JSON: a malformed answer may read yes, and then goes out as it came, as every answer to a call without an id always
// has.

const encoder = new TextEncoder();
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

const isSpace = (c: number | undefined) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

function skipSpace(b: Uint8Array, i: number): number {
  while (isSpace(b[i])) i++;
  return i;
}

/** The index after the string that opens at `i` (a quote), or -1 when it does not end. */
function endOfString(b: Uint8Array, i: number): number {
  for (i++; i < b.length; i++) {
    const c = b[i];
    if (c === BACKSLASH) i++;
    else if (c === QUOTE) return i + 1;
  }
  return -1;
}

/** The index after the value that starts at `i`, or -1 when it does not end. */
function endOfValue(b: Uint8Array, i: number): number {
  const c = b[i];
  if (c === QUOTE) return endOfString(b, i);
  if (c === 0x7b || c === 0x5b) {
    let depth = 0;
    while (i < b.length) {
      const d = b[i];
      if (d === QUOTE) {
        i = endOfString(b, i);
        if (i < 0) return -1;
        continue;
      }
      if (d === 0x7b || d === 0x5b) depth++;
      else if (d === 0x7d || d === 0x5d) {
        depth--;
        if (depth === 0) return i + 1;
      }
      i++;
    }
    return -1;
  }
  // A number, true, false or null: up to the next separator.
  while (i < b.length && b[i] !== 0x2c && b[i] !== 0x7d && b[i] !== 0x5d && !isSpace(b[i])) i++;
  return i;
}

const sameBytes = (b: Uint8Array, start: number, end: number, want: Uint8Array) => {
  if (end - start !== want.length) return false;
  for (let k = 0; k < want.length; k++) if (b[start + k] !== want[k]) return false;
  return true;
};

/**
 * True when `json` is an object whose top level has each key of `want`, every time holding that string exactly as
 * JSON.stringify writes it, and no key written with escapes. Where JSON.parse reads the bytes, a yes agrees with it.
 */
export function topLevelMembersAre(json: Uint8Array, want: Readonly<Record<string, string>>): boolean {
  const wanted = Object.entries(want).map(([k, v]) => ({ key: encoder.encode(JSON.stringify(k)), value: encoder.encode(JSON.stringify(v)), seen: false }));
  let i = skipSpace(json, 0);
  if (json[i] !== 0x7b) return false;
  i = skipSpace(json, i + 1);
  if (json[i] === 0x7d) return wanted.length === 0;
  for (;;) {
    if (json[i] !== QUOTE) return false;
    const keyStart = i;
    i = endOfString(json, i);
    if (i < 0) return false;
    const keyEnd = i;
    // An escaped key may spell a wanted one another way (and a later duplicate wins in JSON.parse): the caller parses.
    if (json.subarray(keyStart, keyEnd).includes(BACKSLASH)) return false;
    i = skipSpace(json, i);
    if (json[i] !== 0x3a) return false;
    const valueStart = skipSpace(json, i + 1);
    i = endOfValue(json, valueStart);
    if (i < 0) return false;
    for (const w of wanted) {
      if (!sameBytes(json, keyStart, keyEnd, w.key)) continue;
      if (!sameBytes(json, valueStart, i, w.value)) return false; // a duplicate too must hold it: the last one wins
      w.seen = true;
    }
    i = skipSpace(json, i);
    if (json[i] === 0x2c) i = skipSpace(json, i + 1);
    else if (json[i] === 0x7d) break;
    else return false;
  }
  return wanted.every((w) => w.seen);
}
