// NATS subject rules of the embedded broker: validity, wildcard matching, overlap, filters as SQL regexes, header size.
import { expect, test } from "bun:test";
import { filterRegex, headerBytes, isValidSubject, patternsOverlap, subjectMatches } from "./subjects.ts";

test("valid subjects and patterns", () => {
  expect(["orders.placed", "a", "a.b.c-d_e"].every((s) => isValidSubject(s, false))).toBe(true);
  expect(["", "a..b", ".a", "a.", "a b", "a.*", "a.>", "a*b"].some((s) => isValidSubject(s, false))).toBe(false);
  expect(["a.*", "a.>", "*.b", ">", "a.*.>"].every((s) => isValidSubject(s, true))).toBe(true);
  expect(["a.>.b", "a.b>", "a.**"].some((s) => isValidSubject(s, true))).toBe(false);
});

test("`*` matches one token, `>` one or more", () => {
  const cases: [string, string, boolean][] = [
    ["orders.>", "orders.placed", true],
    ["orders.>", "orders.a.b", true],
    ["orders.>", "orders", false],
    ["orders.*", "orders.placed", true],
    ["orders.*", "orders.a.b", false],
    ["*.placed", "orders.placed", true],
    ["orders.placed", "orders.placed", true],
    ["orders.placed", "orders.placed.x", false],
    [">", "anything.at.all", true],
  ];
  for (const [p, s, want] of cases) expect([p, s, subjectMatches(p, s)]).toEqual([p, s, want]);
});

test("overlap of two patterns", () => {
  expect(patternsOverlap("orders.>", "orders.placed")).toBe(true);
  expect(patternsOverlap("orders.*", "*.placed")).toBe(true);
  expect(patternsOverlap("orders.>", "dlq.>")).toBe(false);
  expect(patternsOverlap("a.*", "a.b.c")).toBe(false);
  expect(patternsOverlap("a.>", "a")).toBe(false);
});

test("filters become one anchored regex that agrees with subjectMatches", () => {
  expect(filterRegex([])).toBe("");
  expect(filterRegex([">"])).toBe("");
  const filters = ["orders.placed", "dlq.*.orders.>"];
  const re = new RegExp(filterRegex(filters));
  for (const s of ["orders.placed", "orders.placedX", "xorders.placed", "dlq.w.orders.placed", "dlq.w.orders", "dlq.a.b.orders.x"]) {
    expect([s, re.test(s)]).toEqual([s, filters.some((f) => subjectMatches(f, s))]);
  }
});

test("header bytes follow the NATS header block", () => {
  expect(headerBytes(undefined)).toBe(0);
  expect(headerBytes({})).toBe(0);
  expect(headerBytes({ a: "bc" })).toBe(12 + 1 + 2 + 4);
});
