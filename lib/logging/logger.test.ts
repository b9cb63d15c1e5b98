import { describe, expect, test } from "bun:test";
import { createLogger } from "./logger.ts";

describe("logger", () => {
  test("writes JSON lines with time, level, service, msg and bound fields", () => {
    const out: string[] = [];
    const log = createLogger({ service: "orders", sink: (l) => out.push(l), now: () => new Date(0) }).child({ request_id: "r1" });
    log.info("hello", { n: 1 });
    expect(JSON.parse(out[0] ?? "")).toEqual({ time: "1970-01-01T00:00:00.000Z", level: "info", service: "orders", msg: "hello", request_id: "r1", n: 1 });
  });

  test("drops lines below the level", () => {
    const out: string[] = [];
    const log = createLogger({ service: "s", level: "warn", sink: (l) => out.push(l) });
    log.info("no");
    log.warn("yes");
    expect(out).toHaveLength(1);
  });

  test("never writes secrets, however deep", () => {
    const out: string[] = [];
    const log = createLogger({ service: "s", sink: (l) => out.push(l) });
    log.info("req", {
      headers: { authorization: "Bearer abc.def.ghi", cookie: "sid=s3cr3t", "x-api-key": "k3y" },
      password: "hunter2",
      nested: { db: { DATABASE_URL: "postgres://u:pw@h/db", refresh_token: "rt" } },
      INTERNAL_AUTH_PRIVATE_JWK: "{...}",
    });
    const line = out[0] ?? "";
    for (const secret of ["abc.def.ghi", "s3cr3t", "k3y", "hunter2", "u:pw", 'rt"', "{...}"]) expect(line).not.toContain(secret);
    expect(line).toContain("[redacted]");
  });
});
