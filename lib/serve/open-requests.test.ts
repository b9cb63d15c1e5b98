import { describe, expect, test } from "bun:test";
import { OpenRequests } from "./open-requests.ts";

describe("OpenRequests", () => {
  test("slots are reused once free; a slot deleted twice frees it once", () => {
    const open = new OpenRequests<string>(() => {});
    const a = open.add("a");
    const b = open.add("b");
    expect([a, b, open.size]).toEqual([0, 1, 2]);
    open.delete(a);
    open.delete(a);
    expect(open.size).toBe(1);
    const c = open.add("c");
    const d = open.add("d");
    expect([c, d, open.size]).toEqual([0, 2, 3]);
  });

  test("stopAll stops the open requests only, and counts them", () => {
    const stopped: string[] = [];
    const open = new OpenRequests<string>((r) => stopped.push(r));
    open.add("a");
    open.delete(open.add("ended"));
    open.add("b");
    expect(open.stopAll()).toBe(2);
    expect(stopped).toEqual(["a", "b"]);
  });
});
