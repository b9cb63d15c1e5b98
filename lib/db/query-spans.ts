// A span per executed postgres.js query ("INSERT", "SELECT", …): statement kind and parameterised text, never values.
import { context, SpanKind, trace } from "@opentelemetry/api";
import { ATTR_DB_OPERATION_NAME, ATTR_DB_QUERY_TEXT, ATTR_DB_SYSTEM_NAME, DB_SYSTEM_NAME_VALUE_POSTGRESQL } from "@opentelemetry/semantic-conventions";
import { failSpan } from "../telemetry/spans.ts";
import { tracing } from "../telemetry/state.ts";
import type { Sql } from "./postgres.ts";

/** What postgres.js's Query carries that we read (it is not part of its typed API). */
interface QueryLike {
  executed: boolean;
  /** Template strings of a tagged query; the text itself for sql.unsafe. */
  strings: readonly string[] | string;
  tagged: boolean;
  /** The statement sent (values as $n parameters), set once the query was built. */
  string?: string;
  resolve: (x: unknown) => unknown;
  reject: (e: unknown) => unknown;
  handle(): Promise<void>;
}

const MAX_TEXT = 2048;
const PATCHED = Symbol.for("bun-platform.query-spans");

/**
 * Wraps postgres.js's Query.prototype.handle (it runs once per query, when it is first awaited or executed, in the
 * caller's async context) so every query — pool, transactions, reserved connections, unsafe — gets a span. Done once
 * per process when tracing is on; the wrapper also checks `tracing.enabled`, so it costs one check when off again.
 * Only queries inside a traced operation get a span: background polling (relay, sweepers) makes no root spans.
 */
export function instrumentQueries(sql: Sql): void {
  const probe = sql`SELECT 1` as unknown as QueryLike; // never executed: postgres.js queries are lazy
  const proto = Object.getPrototypeOf(probe) as QueryLike & { [PATCHED]?: true };
  if (proto[PATCHED]) return;
  const handle = proto.handle;
  proto.handle = function (this: QueryLike) {
    if (!this.executed && tracing.enabled) traceQuery(this);
    return handle.call(this);
  };
  proto[PATCHED] = true;
}

function traceQuery(q: QueryLike): void {
  const parent = context.active();
  if (!trace.getSpan(parent)?.isRecording()) return;
  const template = typeof q.strings === "string" ? q.strings : q.strings.join("?");
  const kind = statementKind(template);
  const span = tracing.tracer.startSpan(
    kind,
    { kind: SpanKind.CLIENT, attributes: { [ATTR_DB_SYSTEM_NAME]: DB_SYSTEM_NAME_VALUE_POSTGRESQL, [ATTR_DB_OPERATION_NAME]: kind } },
    parent,
  );
  const resolve = q.resolve;
  const reject = q.reject;
  // Tagged queries send every value as a $n parameter, so their text is safe to record; sql.unsafe text may hold literals.
  const text = () => {
    if (q.tagged && q.string) span.setAttribute(ATTR_DB_QUERY_TEXT, q.string.length > MAX_TEXT ? q.string.slice(0, MAX_TEXT) : q.string);
  };
  q.resolve = (x) => {
    text();
    span.end();
    return resolve(x);
  };
  q.reject = (e) => {
    text();
    failSpan(span, e, (e as { code?: string }).code);
    span.end();
    return reject(e);
  };
}

const KEYWORD = /^[A-Za-z]+/;
const DML = /\b(SELECT|INSERT|UPDATE|DELETE|MERGE|VALUES|TABLE)\b/i;

/** SELECT, INSERT, CALL, BEGIN…: the statement's first keyword; for WITH, the statement after the CTEs. */
export function statementKind(text: string): string {
  const s = text.replace(/^(\s|--[^\n]*\n|\/\*[\s\S]*?\*\/)+/, "");
  const first = KEYWORD.exec(s)?.[0]?.toUpperCase() ?? "QUERY";
  if (first !== "WITH") return first;
  // Drop everything inside parentheses (the CTE bodies); the first DML keyword left is the main statement.
  let depth = 0;
  let outer = "";
  for (const ch of s.slice(4)) {
    if (ch === "(") depth++;
    else if (ch === ")") depth = Math.max(0, depth - 1);
    else if (depth === 0) outer += ch;
  }
  return DML.exec(outer)?.[1]?.toUpperCase() ?? "WITH";
}
