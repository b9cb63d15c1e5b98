// Test helper: reads a Server-Sent Events body event by event, noting when each arrived.
import { now } from "../control/stats.ts";

export interface SseEvent {
  /** The `data:` payload ("[DONE]" for the end marker); comments (": ...") are skipped. */
  data: string;
  /** Arrival time, epoch ms (the clock of the server's stats). */
  at: number;
}

/** Reads to the end; `events` (pass your own array) keeps what arrived when the stream fails midway. */
export async function readSse(res: Response, events: SseEvent[] = []): Promise<SseEvent[]> {
  if (!res.body) throw new Error("no body");
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of res.body) {
    const at = now();
    buffer += decoder.decode(chunk, { stream: true });
    let end = buffer.indexOf("\n\n");
    while (end >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block
        .split("\n")
        .filter((l) => l.startsWith("data: "))
        .map((l) => l.slice(6))
        .join("\n");
      if (data !== "") events.push({ data, at });
      end = buffer.indexOf("\n\n");
    }
  }
  return events;
}
