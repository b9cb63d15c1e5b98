import { describe, expect, test } from "bun:test";
import { startCall } from "./call.ts";
import { OpenCalls } from "./open-calls.ts";

describe("OpenCalls", () => {
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
