// Picks the channel the configuration names (NOTIFY_CHANNEL).
import type { Tracing } from "../../../lib/telemetry/tracer.ts";
import type { NotificationsConfig } from "../config.ts";
import type { Channel } from "./channel.ts";
import { createLogChannel } from "./log-channel.ts";
import { createWebhookChannel } from "./webhook-channel.ts";

export function createChannel(
  cfg: Pick<NotificationsConfig, "NOTIFY_CHANNEL" | "NOTIFY_WEBHOOK_URL" | "NOTIFY_WEBHOOK_TIMEOUT_MS">,
  tracing?: Tracing,
): Channel {
  if (cfg.NOTIFY_CHANNEL === "log") return createLogChannel();
  if (!cfg.NOTIFY_WEBHOOK_URL) throw new Error("NOTIFY_WEBHOOK_URL is required when NOTIFY_CHANNEL=webhook");
  return createWebhookChannel({ url: cfg.NOTIFY_WEBHOOK_URL, timeoutMs: cfg.NOTIFY_WEBHOOK_TIMEOUT_MS, tracing });
}
