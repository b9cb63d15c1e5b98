// Database spans on real PostgreSQL: one per query inside a traced operation, statement kind in name and attribute, no values.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { context, SpanStatusCode, trace } from "@opentelemetry/api";
import { tracing } from "../telemetry/state.ts";
import { installTestTracing, type TestTracing } from "../telemetry/testing.ts";
import { testDatabaseUrl } from "../testing/temp-database.ts";
import { createSql, type Sql } from "./postgres.ts";
import { statementKind } from "./query-spans.ts";

test("statementKind: the first keyword; after WITH, the main statement", () => {
  expect(statementKind("  SELECT 1")).toBe("SELECT");
  expect(statementKind("-- note\ninsert into t values ($1)")).toBe("INSERT");
  expect(statementKind("CALL do_it($1)")).toBe("CALL");
  expect(statementKind("WITH a AS (SELECT 1), b AS (UPDATE t SET x = 1 RETURNING *) INSERT INTO t SELECT * FROM a")).toBe("INSERT");
  expect(statementKind("begin isolation level serializable")).toBe("BEGIN");
});

describe("query spans [postgres]", () => {
  let t: TestTracing;
  let sql: Sql;
  beforeAll(async () => {
    t = installTestTracing();
    sql = createSql(testDatabaseUrl(), { max: 1, applicationName: "query-spans-test" });
    await sql`CREATE TEMP TABLE IF NOT EXISTS spans_probe (id int, secret text)`;
  });
  afterAll(async () => {
    await sql?.end({ timeout: 1 });
    await t?.close();
  });

  const inSpan = async <T>(fn: () => Promise<T>) => {
    const parent = tracing.tracer.startSpan("operation");
    try {
      return await context.with(trace.setSpan(context.active(), parent), fn);
    } finally {
      parent.end();
    }
  };

  test("a span per query, child of the active span, named by statement kind; parameter values appear nowhere", async () => {
    t.reset();
    const SECRET = "hunter2-card-4111111111111111";
    await inSpan(async () => {
      await sql`INSERT INTO spans_probe (id, secret) VALUES (${42}, ${SECRET})`;
      await sql`SELECT secret FROM spans_probe WHERE secret = ${SECRET}`;
      await sql.begin(async (tx) => {
        await tx`UPDATE spans_probe SET id = ${43} WHERE secret = ${SECRET}`;
      });
    });
    const spans = t.spans();
    const parent = spans.find((s) => s.name === "operation");
    const db = spans.filter((s) => s.name !== "operation");
    expect(db.map((s) => s.name)).toEqual(["INSERT", "SELECT", "BEGIN", "UPDATE", "COMMIT"]);
    for (const s of db) {
      expect(s.parentSpanContext?.spanId).toBe(parent?.spanContext().spanId as string);
      expect(s.spanContext().traceId).toBe(parent?.spanContext().traceId as string);
      expect(s.attributes["db.system.name"]).toBe("postgresql");
      expect(s.attributes["db.operation.name"]).toBe(s.name);
      const everything = JSON.stringify({ name: s.name, attributes: s.attributes, events: s.events });
      expect(everything).not.toContain(SECRET);
      expect(everything).not.toContain("42");
    }
    expect(db[0]?.attributes["db.query.text"]).toBe("INSERT INTO spans_probe (id, secret) VALUES ($1, $2)");
  });

  test("a failed query: status ERROR with the SQLSTATE as error.type", async () => {
    t.reset();
    await inSpan(() => sql`SELECT * FROM no_such_table`.catch(() => undefined));
    const failed = t.spans().find((s) => s.name === "SELECT");
    expect(failed?.status.code).toBe(SpanStatusCode.ERROR);
    expect(failed?.attributes["error.type"]).toBe("42P01");
  });

  test("no span without a traced operation (background polling makes no root spans)", async () => {
    t.reset();
    await sql`SELECT 1`;
    expect(t.spans()).toHaveLength(0);
  });
});
