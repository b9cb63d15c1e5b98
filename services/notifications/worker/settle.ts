// Settles a delivery (ack, nak, term) without throwing: a failure is logged, and the message comes back after ack_wait.
import type { Logger } from "../../../lib/logging/logger.ts";

export async function settleQuietly(what: "acknowledge" | "nak" | "terminate", log: Logger, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    // Unsettled, the message is redelivered after ack_wait; processed_events makes that harmless.
    log.warn(`could not ${what} the message`, { error: err instanceof Error ? err.message : String(err) });
  }
}
