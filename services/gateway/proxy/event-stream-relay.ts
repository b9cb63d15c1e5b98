// A service's event stream relayed to the client event by event, so the gateway can end it with an error event.
//
// Other responses go to the client natively (lib/http/proxy/response.ts). A stream does too, and that cut it off
// mid-way twice: when it outlived the shutdown's grace period (a chat completion of minutes against a 25 s grace on a
// rolling restart), and when the service behind died while it was open. Either way the client saw a reset
// connection. Relayed, it gets the OpenAI-shaped error event that inference ends its own failed streams with, after the
// last whole event, and knows to call again. The relay costs about 30 µs per event over the native passthrough (p50 of
// each event's delay through gateway and inference, 100-token streams at 10 ms, 4,635 events per side: 0.522 against
// 0.489 ms, and 0.584 against 0.549 ms with the order swapped; compiled binaries, 2-core machine).
import { concatBytes } from "../../../lib/http/concat-bytes.ts";
import { openAiErrorEvent } from "../../../lib/http/openai-error.ts";
import { pullStream } from "../../../lib/http/pull-stream.ts";
import { OpenRequests } from "../../../lib/serve/open-requests.ts";

/** One relayed stream, as the shutdown sees it. */
export interface Relay {
  /** Ends the stream with the shutdown's error event after the last whole event, and lets the service's stream go. */
  stop(): void;
}

/** The relays in progress: the gateway's interrupter stops them near the end of the grace period. */
export class OpenStreams extends OpenRequests<Relay> {
  constructor() {
    super((relay) => relay.stop());
  }
}

const SHUTTING_DOWN = openAiErrorEvent("service_unavailable", "The gateway is shutting down and ended this stream; send the request again.");

/**
 * An event is held back until its blank line arrives, up to this size: a client acts on whole events only. Past it
 * (a service that never ends its events) the bytes go through as they come, and an error event is preceded by a blank line.
 */
export const MAX_PARTIAL_EVENT_BYTES = 1 << 20;

const LF = 10;
const CR = 13;
const BLANK_LINE = new Uint8Array([LF, LF]);

/** The length of the prefix of `b` that ends with a blank line (LF LF, LF CR LF), 0 when there is none. */
export function wholeEventsLength(b: Uint8Array): number {
  for (let i = b.byteLength - 1; i >= 1; i--) {
    if (b[i] !== LF) continue;
    if (b[i - 1] === LF || (i >= 2 && b[i - 1] === CR && b[i - 2] === LF)) return i + 1;
  }
  return 0;
}

/** How a relayed stream ended, for the access line: undefined when cleanly, else the code of the error event (or the client's leaving). */
export type RelayEnd = "service_unavailable" | "bad_gateway" | "client_closed_request" | undefined;

/**
 * Relays `body` whole event by whole event, each as soon as it is complete. `upstream` names the service in the error
 * event when its stream breaks off (inference ends every failed stream with an event of its own, so a break is its
 * process dying or the network). The relay is in `open` until it ends, and then tells `onEnd` how, once.
 */
export function relayEventStream(
  body: ReadableStream<Uint8Array>,
  upstream: string,
  open: OpenStreams,
  onEnd?: (end: RelayEnd) => void,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let partial: Uint8Array | undefined; // the start of an event whose blank line has not come yet
  let atEventEnd = true; // the client has whole events only (false once an oversized event went through as it came)
  let stopping = false;
  const letGo = () => void reader.cancel().catch(() => {});
  let slot: number | undefined = open.add({
    stop() {
      stopping = true;
      // The read in progress ends (done), and the step writes the event.
      letGo();
    },
  });
  const leave = (how: RelayEnd) => {
    if (slot === undefined) return;
    open.delete(slot);
    slot = undefined;
    onEnd?.(how);
  };
  const end = (emit: (bytes: Uint8Array) => void, how: "service_unavailable" | "bad_gateway"): false => {
    letGo();
    if (!atEventEnd) emit(BLANK_LINE);
    emit(how === "service_unavailable" ? SHUTTING_DOWN : openAiErrorEvent("bad_gateway", `${upstream}'s stream broke off.`));
    leave(how);
    return false;
  };

  const step = async (emit: (bytes: Uint8Array) => void): Promise<boolean> => {
    // Until something is relayed: a standard stream's pull that enqueues nothing is not pulled again.
    for (;;) {
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        chunk = await reader.read();
      } catch {
        return end(emit, stopping ? "service_unavailable" : "bad_gateway");
      }
      if (stopping) return end(emit, "service_unavailable");
      if (chunk.done) {
        // A clean end: whatever the service left unfinished goes as it is, as the service sent it.
        if (partial) emit(partial);
        leave(undefined);
        return false;
      }
      const bytes = partial ? concatBytes([partial, chunk.value]) : chunk.value;
      const whole = wholeEventsLength(bytes);
      partial = whole < bytes.byteLength ? bytes.slice(whole) : undefined;
      if (partial && partial.byteLength > MAX_PARTIAL_EVENT_BYTES) {
        emit(bytes);
        partial = undefined;
        atEventEnd = false;
        return true;
      }
      if (whole === 0) continue;
      emit(whole === bytes.byteLength ? bytes : bytes.subarray(0, whole));
      atEventEnd = true;
      return true;
    }
  };
  return pullStream(step, () => {
    letGo();
    leave("client_closed_request");
  });
}
