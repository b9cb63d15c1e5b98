// Route definitions of the dead-letter admin API under /v1/notifications/dead-letters (contract only).
import { createRoute } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { problemResponses } from "../../../lib/http/openapi-problems.ts";
import { NoQuery } from "../../../lib/http/query-params.ts";
import { DeadLetter, DeadLetterList, DeadLetterSeqParam, ListDeadLettersQuery, ReplayAllQuery, ReplayAllResult, ReplayResult } from "./schemas.ts";

/** The scope every dead-letter operation needs, in the contract: the gateway derives its permission table from it. */
const security = [{ internalToken: ["notifications:admin"] }];
const authErrors = ["unauthorized", "insufficient_scope"] as const;
const tags = ["dead letters"];

export const deadLetterRoutes = (m: { auth: MiddlewareHandler; admin: MiddlewareHandler }) => ({
  list: createRoute({
    method: "get",
    path: "/v1/notifications/dead-letters",
    operationId: "listDeadLetters",
    tags,
    summary: "List dead letters, oldest first",
    description:
      "Events the worker gave up on (a permanent failure, or a transient one on the last allowed delivery), as stored in the DLQ stream. " +
      "Cursor pagination: follow `nextCursor` until it is null. Scope `notifications:admin`.",
    security,
    middleware: [m.auth, m.admin] as const,
    request: { query: ListDeadLettersQuery },
    responses: {
      200: { description: "A page of dead letters", content: { "application/json": { schema: DeadLetterList } } },
      ...problemResponses("invalid_parameter", ...authErrors, "internal_error", "service_unavailable"),
    },
  }),

  get: createRoute({
    method: "get",
    path: "/v1/notifications/dead-letters/{seq}",
    operationId: "getDeadLetter",
    tags,
    summary: "Inspect one dead letter",
    description: "The full original message (payload, headers), the error, the attempt count and the times. Scope `notifications:admin`.",
    security,
    middleware: [m.auth, m.admin] as const,
    request: { params: DeadLetterSeqParam, query: NoQuery },
    responses: {
      200: { description: "The dead letter", content: { "application/json": { schema: DeadLetter } } },
      ...problemResponses("invalid_parameter", ...authErrors, "not_found", "dead_letter_not_replayable", "internal_error", "service_unavailable"),
    },
  }),

  replay: createRoute({
    method: "post",
    path: "/v1/notifications/dead-letters/{seq}/replay",
    operationId: "replayDeadLetter",
    tags,
    summary: "Replay one dead letter to its original subject",
    description:
      "Publishes the original payload and headers to the original subject with a new message id, then removes the dead letter. " +
      "The event id is unchanged, so the idempotent consumer never applies an event twice; repeating the call is safe (404 once it is gone). " +
      "Scope `notifications:admin`.",
    security,
    middleware: [m.auth, m.admin] as const,
    request: { params: DeadLetterSeqParam, query: NoQuery },
    responses: {
      200: { description: "Replayed", content: { "application/json": { schema: ReplayResult } } },
      ...problemResponses("invalid_parameter", ...authErrors, "not_found", "dead_letter_not_replayable", "internal_error", "service_unavailable"),
    },
  }),

  replayAll: createRoute({
    method: "post",
    path: "/v1/notifications/dead-letters/replay",
    operationId: "replayAllDeadLetters",
    tags,
    summary: "Replay dead letters, oldest first, up to a limit per call",
    description:
      "Replays up to `limit` dead letters as the single replay does and reports each outcome; call again while `more` is true. " +
      "Scope `notifications:admin`.",
    security,
    middleware: [m.auth, m.admin] as const,
    request: { query: ReplayAllQuery },
    responses: {
      200: { description: "What was replayed", content: { "application/json": { schema: ReplayAllResult } } },
      ...problemResponses("invalid_parameter", ...authErrors, "internal_error", "service_unavailable"),
    },
  }),
});
