// Cursor codec: round trips, compatibility with the orders format, and 400 for anything foreign.
import { expect, test } from "bun:test";
import { AppError } from "./app-error.ts";
import { decodeCursor, encodeCursor, positiveIntValue, uuidValue } from "./cursor.ts";

const ID = "0192f1b4-7c1e-7000-8000-0000000000a1";

test("round trips a uuid and an integer; the output is base64url without padding", () => {
  const c = encodeCursor("o1", ID);
  expect(c).toMatch(/^[A-Za-z0-9_-]+$/);
  expect(decodeCursor(c, "o1", uuidValue)).toBe(ID);
  expect(decodeCursor(encodeCursor("d1", "42"), "d1", positiveIntValue)).toBe(42);
});

test("same format as the orders cursors (btoa of 'o1:<id>', base64url)", () => {
  expect(encodeCursor("o1", ID)).toBe(btoa(`o1:${ID}`).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, ""));
});

test("another kind, garbage, or a bad value is a 400 invalid_parameter on query.cursor", () => {
  const cases: [string, string, (v: string) => unknown][] = [
    [encodeCursor("n1", ID), "o1", uuidValue],
    ["%%%", "o1", uuidValue],
    ["bm9wZQ", "o1", uuidValue],
    [encodeCursor("o1", "not-a-uuid"), "o1", uuidValue],
    [encodeCursor("d1", "0"), "d1", positiveIntValue],
    [encodeCursor("d1", "1e3"), "d1", positiveIntValue],
    [encodeCursor("d1", "99999999999999999"), "d1", positiveIntValue],
  ];
  for (const [cursor, kind, parse] of cases) {
    let err: unknown;
    try {
      decodeCursor(cursor, kind, parse);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe("invalid_parameter");
    expect((err as AppError).errors?.[0]?.path).toBe("query.cursor");
  }
});
