import { expect, test } from "bun:test";
import { createBatchedSink } from "./batched-sink.ts";

test("lines are written together after the delay, at the line cap, and on flush", async () => {
  const writes: string[] = [];
  const b = createBatchedSink((s) => writes.push(s), { maxDelayMs: 20, maxLines: 3 });
  b.sink("a");
  b.sink("b");
  expect(writes).toEqual([]);
  await Bun.sleep(40);
  expect(writes).toEqual(["a\nb"]);
  for (const l of ["c", "d", "e"]) b.sink(l);
  expect(writes).toEqual(["a\nb", "c\nd\ne"]);
  b.sink("f");
  b.flush();
  b.flush();
  expect(writes).toEqual(["a\nb", "c\nd\ne", "f"]);
});
