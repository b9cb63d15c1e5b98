import { expect, test } from "bun:test";
import { loadInTurns } from "./load-in-turns.ts";

test("parts load in order, each after a turn of the event loop (what was queued meanwhile runs in between), then the last", async () => {
  const seen: string[] = [];
  const part = (name: string) => async () => {
    seen.push(name);
    // What a request arriving while this part evaluates looks like to the loop: a task queued now.
    setTimeout(() => seen.push(`task queued during ${name}`), 0);
  };
  const last = await loadInTurns([part("a"), part("b")], async () => {
    seen.push("last");
    return 42;
  });
  expect(last).toBe(42);
  expect(seen).toEqual(["a", "task queued during a", "b", "task queued during b", "last"]);
});
