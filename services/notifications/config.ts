// The notifications service's environment: common variables, database, messaging, internal auth, channel and consumer settings.
import { z } from "zod";
import { jwksEnv } from "../../lib/auth/jwks-env.ts";
import { commonEnv, databaseEnv, messagingEnv } from "../../lib/config/env.ts";
import { DEFAULT_PORTS } from "../../lib/serve/starting-listener.ts";

const millis = (min: number, max: number, fallback: number) => z.coerce.number().int().min(min).max(max).default(fallback);

export const notificationsEnv = z
  .object({
    ...commonEnv(DEFAULT_PORTS.notifications),
    ...databaseEnv,
    ...messagingEnv,
    INTERNAL_AUTH_JWKS: jwksEnv.describe("JWKS (JSON) with the gateway's public key(s) for internal tokens"),
    NOTIFY_CHANNEL: z.enum(["log", "webhook"]).default("log").describe("Where notifications go: log (a JSON line on stdout, for local use) or webhook"),
    NOTIFY_WEBHOOK_URL: z
      .url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" })
      .optional()
      .describe("Receiver of the webhook channel (POST, Idempotency-Key = event id); required when NOTIFY_CHANNEL=webhook"),
    NOTIFY_WEBHOOK_TIMEOUT_MS: millis(100, 60_000, 5_000).describe("Timeout of one webhook call (a timeout is a transient failure)"),
    CONSUMER_ENABLED: z.stringbool().default(true).describe("Run the orders.> consumer in this process (the HTTP API runs either way)"),
    CONSUMER_MAX_DELIVER: z.coerce.number().int().min(1).max(100).default(5).describe("Processing attempts per event; the last failed one dead-letters it"),
    CONSUMER_ACK_WAIT_MS: millis(1_000, 600_000, 30_000).describe("An unsettled delivery is redelivered after this long"),
    CONSUMER_BATCH: z.coerce
      .number()
      .int()
      .min(1)
      .max(1_000)
      .default(256)
      .describe(
        "Messages per pull and events per database round trip at most; up to twice as many handlers run at once, so one batch commits while the next fills",
      ),
    CONSUMER_MAX_ACK_PENDING: z.coerce
      .number()
      .int()
      .min(1)
      .max(100_000)
      .default(1_024)
      .describe("Unacknowledged messages outstanding at most (≥ CONSUMER_BATCH)"),
    RETRY_BASE_MS: millis(10, 600_000, 1_000).describe("First redelivery delay after a transient failure (doubles per attempt, with jitter)"),
    RETRY_MAX_MS: millis(10, 3_600_000, 60_000).describe("Longest redelivery delay"),
  })
  // Cross-field rules run even when single fields failed, so one message lists every problem; each rule
  // looks only at fields that parsed.
  .superRefine(
    (v, ctx) => {
      const num = (x: unknown) => (typeof x === "number" && Number.isFinite(x) ? x : undefined);
      const problem = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
      if (v.NOTIFY_CHANNEL === "webhook" && v.NOTIFY_WEBHOOK_URL === undefined) problem("NOTIFY_WEBHOOK_URL", "required when NOTIFY_CHANNEL=webhook");
      const [timeout, ackWait] = [num(v.NOTIFY_WEBHOOK_TIMEOUT_MS), num(v.CONSUMER_ACK_WAIT_MS)];
      if (v.NOTIFY_CHANNEL === "webhook" && timeout !== undefined && ackWait !== undefined && timeout * 2 > ackWait) {
        problem("NOTIFY_WEBHOOK_TIMEOUT_MS", "must be at most half of CONSUMER_ACK_WAIT_MS");
      }
      const [base, max] = [num(v.RETRY_BASE_MS), num(v.RETRY_MAX_MS)];
      if (base !== undefined && max !== undefined && base > max) problem("RETRY_BASE_MS", "must not exceed RETRY_MAX_MS");
      const [pending, batch] = [num(v.CONSUMER_MAX_ACK_PENDING), num(v.CONSUMER_BATCH)];
      if (pending !== undefined && batch !== undefined && pending < batch) problem("CONSUMER_MAX_ACK_PENDING", "must be at least CONSUMER_BATCH");
    },
    { when: (payload) => typeof payload.value === "object" && payload.value !== null },
  );
export type NotificationsConfig = z.infer<typeof notificationsEnv>;
