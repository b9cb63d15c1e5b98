// Keyed turns: one at a time per key in arrival order, keys independent, released on failure too.
import { expect, test } from "bun:test";
import { createKeyedTurns } from "./keyed-turns.ts";

test("same key runs one at a time in arrival order; other keys run alongside; nothing is left behind", async () => {
  const turns = createKeyedTurns();
  const log: string[] = [];
  const job = (key: string, name: string, ms: number) =>
    turns.run(key, async () => {
      log.push(`${name}+`);
      await Bun.sleep(ms);
      log.push(`${name}-`);
      return name;
    });
  const results = await Promise.all([job("a", "a1", 30), job("a", "a2", 5), job("b", "b1", 10), job("a", "a3", 1)]);
  expect(results).toEqual(["a1", "a2", "b1", "a3"]);
  expect(log).toEqual(["a1+", "b1+", "b1-", "a1-", "a2+", "a2-", "a3+", "a3-"]);
  expect(turns.size).toBe(0);
});

test("a failing holder still hands the key on", async () => {
  const turns = createKeyedTurns();
  const first = turns.run("k", async () => {
    throw new Error("boom");
  });
  const second = turns.run("k", async () => "ok");
  await expect(first).rejects.toThrow("boom");
  expect(await second).toBe("ok");
  expect(turns.size).toBe(0);
});
