// Zod schemas of the dead-letter admin API: list, inspect, replay one, replay all.
import { z } from "@hono/zod-openapi";
import { pageOf, pageQuery } from "../../../lib/http/pagination.ts";
import { decimalInteger, integerDoc } from "../../../lib/http/query-params.ts";

const seq = z.number().int().positive();

export const DeadLetterSummary = z
  .object({
    seq: seq.openapi({ description: "Sequence of the dead letter in the DLQ stream: its id in this API" }),
    storedAt: z.iso.datetime().openapi({ description: "When the dead letter was stored" }),
    subject: z.string().openapi({ description: "The original subject (a replay publishes there)", example: "orders.placed" }),
    stream: z.string().openapi({ description: "The original stream", example: "ORDERS" }),
    streamSeq: seq.openapi({ description: "The original message's sequence in its stream" }),
    messageId: z.string().nullable().openapi({ description: "The original message id (Nats-Msg-Id)" }),
    eventId: z.string().nullable().openapi({ description: "The event id, when the payload had one" }),
    error: z.string().openapi({ description: "Why the message was dead-lettered" }),
    attempts: z.number().int().min(1).openapi({ description: "Deliveries made, the failing one included" }),
    publishedAt: z.iso.datetime().openapi({ description: "When the original message was published" }),
    firstAttemptAt: z.iso.datetime().nullable().openapi({ description: "First delivery attempt seen by the worker that dead-lettered it (null when unknown)" }),
    deadAt: z.iso.datetime(),
  })
  .openapi("DeadLetterSummary");

export const DeadLetter = DeadLetterSummary.extend({
  consumer: z.string().openapi({ example: "notifications" }),
  headers: z.record(z.string(), z.string()).openapi({ description: "The original headers" }),
  payload: z.string().openapi({ description: "The original bytes: UTF-8 text, or base64 when `encoding` is base64" }),
  encoding: z.enum(["utf-8", "base64"]),
  truncated: z.boolean().openapi({
    description:
      "True when only the start of the payload could be stored (the message was too large); such a dead letter cannot be replayed, the original is message `streamSeq` of `stream`",
  }),
}).openapi("DeadLetter");

export const DeadLetterList = pageOf(DeadLetterSummary, "DeadLetterList");

export const DeadLetterSeqParam = z.object({
  seq: decimalInteger(1, Number.MAX_SAFE_INTEGER).openapi({
    param: { name: "seq", in: "path" },
    ...integerDoc(1, Number.MAX_SAFE_INTEGER),
    example: 42,
    description: "The dead letter's DLQ sequence",
  }),
});

export const ListDeadLettersQuery = z.strictObject(pageQuery(20));

export const ReplayResult = z
  .object({
    seq: seq.openapi({ description: "The dead letter that was replayed (now removed from the DLQ)" }),
    subject: z.string(),
    messageId: z.string().openapi({ description: "Id of the replayed message: `<original id>:replay:<seq>`" }),
    stream: z.string(),
    streamSeq: seq.openapi({ description: "Sequence of the replayed message in its stream" }),
    duplicate: z.boolean().openapi({ description: "True when this dead letter had been replayed moments before (the broker kept the first copy)" }),
    removed: z.boolean().openapi({ description: "False when removing it from the DLQ failed; replaying it again is safe" }),
  })
  .openapi("ReplayResult");

export const ReplayAllQuery = z.strictObject({
  limit: decimalInteger(1, 1_000)
    .default(100)
    .openapi({
      param: { name: "limit", in: "query" },
      ...integerDoc(1, 1_000),
      default: 100,
      example: 100,
      description: "Dead letters replayed by this call at most, oldest first",
    }),
});

export const ReplayAllResult = z
  .object({
    replayed: z.number().int(),
    failed: z.number().int(),
    results: z.array(
      z.object({
        seq,
        status: z.enum(["replayed", "failed"]),
        messageId: z.string().optional(),
        error: z.string().optional(),
      }),
    ),
    more: z.boolean().openapi({ description: "True when more dead letters were waiting beyond this call's limit" }),
  })
  .openapi("ReplayAllResult");

export type DeadLetterSummary = z.infer<typeof DeadLetterSummary>;
export type DeadLetter = z.infer<typeof DeadLetter>;
export type ReplayResult = z.infer<typeof ReplayResult>;
export type ReplayAllResult = z.infer<typeof ReplayAllResult>;
