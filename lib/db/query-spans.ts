// A span per executed postgres.js query ("INSERT", "SELECT", …): statement kind and parameterised text, never values.
import { context, SpanKind, trace } from "@opentelemetry/api";
import { ATTR_DB_OPERATION_NAME, ATTR_DB_QUERY_TEXT, ATTR_DB_SYSTEM_NAME, DB_SYSTEM_NAME_VALUE_POSTGRESQL } from "@opentelemetry/semantic-conventions";
import type postgres from "postgres";
import { failSpan } from "../telemetry/spans.ts";
import type { Tracing } from "../telemetry/tracer.ts";

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
  /** One function per postgres() client, shared by its pool, transactions and reserved connections (null once cancelled). */
  canceller: object | null;
  handle(): Promise<void>;
}

const MAX_TEXT = 2048;
const PATCHED = Symbol.for("bun-platform.query-spans");

/** The tracing of each instrumented client, by its queries' canceller (see QueryLike). */
const tracings = new WeakMap<object, Tracing>();

/**
 * Gives every query of `sql` — pool, transactions, reserved connections, unsafe — a span from `tracing`, by wrapping
 * postgres.js's Query.prototype.handle (it runs once per query, when it is first awaited or executed, in the caller's
 * async context). The prototype is shared by all clients, so it is wrapped once, and the wrapper finds each query's
 * tracing through its client: queries of clients not instrumented, or whose tracing was closed, cost one lookup.
 * Only queries inside a traced operation get a span: background polling (relay, sweepers) makes no root spans.
 */
export function instrumentQueries(sql: postgres.Sql, tracing: Tracing): void {
  const probe = sql`SELECT 1` as unknown as QueryLike; // never executed: postgres.js queries are lazy
  if (probe.canceller) tracings.set(probe.canceller, tracing);
  const proto = Object.getPrototypeOf(probe) as QueryLike & { [PATCHED]?: true };
  if (proto[PATCHED]) return;
  const handle = proto.handle;
  proto.handle = function (this: QueryLike) {
    if (!this.executed && this.canceller) {
      const t = tracings.get(this.canceller);
      if (t?.enabled) traceQuery(this, t);
    }
    return handle.call(this);
  };
  proto[PATCHED] = true;
}

function traceQuery(q: QueryLike, tracing: Tracing): void {
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
