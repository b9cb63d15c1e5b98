// What a model call needs from the request it serves, whether Hono routed it or the hot path (hot-infer.ts) took it.
import type { Context } from "hono";
import { addLogFields, deferLogLine } from "../../../lib/http/access-log.ts";
import type { Fields } from "../../../lib/logging/logger.ts";
import { formatTraceparent } from "../../../lib/telemetry/trace-context.ts";
import type { InferenceEnv } from "./inference-env.ts";

export interface CallRequest {
  /** Aborts when the client goes away. */
  signal: AbortSignal;
  requestId: string;
  /** The W3C traceparent to send to the model server. */
  traceparent: string;
  /** Adds fields to this request's access-log line. */
  addLogFields(fields: Fields): void;
  /** The access-log line waits for the returned function (a stream that outlives the handler). */
  deferLogLine(): (fields?: Fields) => void;
}

export function honoCallRequest(c: Context<InferenceEnv>): CallRequest {
  return {
    signal: c.req.raw.signal,
    requestId: c.get("requestId"),
    traceparent: formatTraceparent(c.get("trace")),
    addLogFields: (fields) => addLogFields(c as never, fields),
    deferLogLine: () => deferLogLine(c as never),
  };
}
