// Decodes a delivery's payload into an order event (UTF-8 JSON, then the zod envelope); anything else is a permanent failure.
import { type OrderEvent, orderEvent } from "../../../lib/events/order-events.ts";

export type DecodedEvent = { ok: true; event: OrderEvent } | { ok: false; error: string; eventId?: string };

const utf8 = new TextDecoder("utf-8", { fatal: true });

export function decodeEvent(data: Uint8Array): DecodedEvent {
  let json: unknown;
  try {
    json = JSON.parse(utf8.decode(data));
  } catch (err) {
    return { ok: false, error: `payload is not UTF-8 JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
  const parsed = orderEvent.safeParse(json);
  if (parsed.success) return { ok: true, event: parsed.data };
  const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
  const id = (json as { id?: unknown } | null)?.id;
  const failure: DecodedEvent = { ok: false, error: `payload is not an order event: ${issues.join("; ")}` };
  if (typeof id === "string" && id.length <= 200) failure.eventId = id;
  return failure;
}
