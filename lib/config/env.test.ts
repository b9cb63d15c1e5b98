import { describe, expect, test } from "bun:test";
import { z } from "zod";
import { ConfigError, commonEnv, databaseEnv, parseEnv } from "./env.ts";

const schema = z.object({ ...commonEnv(8081), ...databaseEnv, SECRET_JWKS: z.string().min(1) });

describe("parseEnv", () => {
  test("applies defaults and coerces numbers", () => {
    const cfg = parseEnv("orders", schema, { SECRET_JWKS: "x" });
    expect(cfg.PORT).toBe(8081);
    expect(cfg.LOG_LEVEL).toBe("info");
    expect(cfg.DATABASE_URL).toBeUndefined();
    expect(parseEnv("orders", schema, { SECRET_JWKS: "x", PORT: "9000" }).PORT).toBe(9000);
  });

  test("lists every problem in one error, naming each variable", () => {
    let err: unknown;
    try {
      parseEnv("orders", schema, { PORT: "abc", LOG_LEVEL: "loud", DATABASE_URL: "mysql://x" });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const ce = err as ConfigError;
    expect(ce.problems).toHaveLength(4);
    expect(ce.message).toContain("PORT:");
    expect(ce.message).toContain("LOG_LEVEL:");
    expect(ce.message).toContain("DATABASE_URL:");
    expect(ce.message).toContain("SECRET_JWKS: required but not set");
    expect(ce.message).not.toContain("PORT: required");
    expect(ce.message).not.toContain("mysql://x");
  });

  test("treats empty strings as unset", () => {
    expect(parseEnv("orders", schema, { SECRET_JWKS: "x", PORT: "" }).PORT).toBe(8081);
  });
});
