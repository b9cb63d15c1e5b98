import { describe, expect, test } from "bun:test";
import { startCall } from "./call.ts";
import { OpenCalls } from "./open-calls.ts";

describe("OpenCalls", () => {
  test("slots are reused once free; a slot deleted twice frees it once", () => {
    const calls = new OpenCalls();
    // Each call holds a 60 s deadline timer: ended at the end of the test.
    const made: ReturnType<typeof startCall>[] = [];
    const start = () => {
      const call = startCall(new AbortController().signal, 60_000);
      made.push(call);
      return call;
    };
    const a = calls.add(start());
    const b = calls.add(start());
    expect([a, b, calls.size]).toEqual([0, 1, 2]);
    calls.delete(a);
    calls.delete(a);
    expect(calls.size).toBe(1);
    const c = calls.add(start());
    const d = calls.add(start());
    expect([c, d, calls.size]).toEqual([0, 2, 3]);
    for (const call of made) call.end();
  });

  test("stopAll ends every open call with service_unavailable (503, Retry-After) and counts them; ended calls are not touched", () => {
    const calls = new OpenCalls();
    const open = [startCall(new AbortController().signal, 60_000), startCall(new AbortController().signal, 60_000)];
    const done = startCall(new AbortController().signal, 60_000);
    for (const c of open) calls.add(c);
    calls.delete(calls.add(done));
    expect(calls.stopAll()).toBe(2);
    for (const c of open) {
      expect(c.signal.aborted).toBe(true);
      expect(c.failure()).toMatchObject({ code: "service_unavailable", headers: { "retry-after": "1" } });
      c.end();
    }
    expect(done.signal.aborted).toBe(false);
    done.end();
  });
});
