// The model server's settings: defaults, env, flags over env, and one message listing every problem.
import { describe, expect, test } from "bun:test";
import { readConfig } from "./config.ts";

describe("readConfig", () => {
  test("defaults: port 9090 on 127.0.0.1, 20 ms cadence, echo length, no fault", () => {
    const c = readConfig({}, []);
    expect([c.PORT, c.HOST, c.CHAT_CADENCE_MS, c.CHAT_CHUNKS, c.MODEL_SERVER_FAULT]).toEqual([9090, "127.0.0.1", 20, undefined, undefined]);
  });

  test("flags override the env; the fault is parsed with its defaults", () => {
    const c = readConfig({ PORT: "7000", CHAT_CADENCE_MS: "50" }, ["--port", "7001", "--chunks", "64", "--fault", '{"fault":"not-ready"}']);
    expect([c.PORT, c.CHAT_CADENCE_MS, c.CHAT_CHUNKS]).toEqual([7001, 50, 64]);
    expect(c.MODEL_SERVER_FAULT).toMatchObject({ fault: "not-ready", routes: "inference" });
  });

  test("every problem is listed", () => {
    expect(() => readConfig({ PORT: "http", MODEL_SERVER_FAULT: "{" }, ["--cadence-ms=-3"])).toThrow(
      /3 problems[\s\S]*PORT[\s\S]*CHAT_CADENCE_MS[\s\S]*MODEL_SERVER_FAULT/,
    );
  });
});
