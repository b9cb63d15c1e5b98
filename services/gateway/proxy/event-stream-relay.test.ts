import { describe, expect, test } from "bun:test";
import { MAX_PARTIAL_EVENT_BYTES, OpenStreams, type RelayEnd, relayEventStream, wholeEventsLength } from "./event-stream-relay.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A service's stream the test writes to, and whether the relay let go of it. */
function source() {
  let ctrl!: ReadableStreamDefaultController<Uint8Array>;
  const state = { cancelled: false };
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      ctrl = c;
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return { body, state, send: (s: string) => ctrl.enqueue(enc.encode(s)), close: () => ctrl.close(), fail: () => ctrl.error(new Error("reset")) };
}

/** Reads what the client gets, chunk by chunk, as text. */
function client(stream: ReadableStream<Uint8Array>) {
  const reader = stream.getReader();
  return {
    next: async () => {
      const r = await reader.read();
      return r.done ? undefined : dec.decode(r.value);
    },
    rest: async () => {
      let all = "";
      for (let r = await reader.read(); !r.done; r = await reader.read()) all += dec.decode(r.value);
      return all;
    },
    cancel: () => reader.cancel(),
  };
}

const SHUTDOWN_EVENT = `data: ${JSON.stringify({
  error: {
    message: "The gateway is shutting down and ended this stream; send the request again.",
    type: "server_error",
    param: null,
    code: "service_unavailable",
  },
})}\n\n`;

describe("wholeEventsLength", () => {
  test("up to the last blank line, with LF or CRLF line ends; 0 without one", () => {
    expect(wholeEventsLength(enc.encode("data: a\n\n"))).toBe(9);
    expect(wholeEventsLength(enc.encode("data: a\n\ndata: b\n"))).toBe(9);
    expect(wholeEventsLength(enc.encode("data: a\r\n\r\ndata: b"))).toBe(11);
    expect(wholeEventsLength(enc.encode("data: a\n"))).toBe(0);
    expect(wholeEventsLength(enc.encode(""))).toBe(0);
  });
});

describe("relayEventStream", () => {
  test("relays whole events as they come; an event split across chunks waits for its blank line; a clean end ends it", async () => {
    const s = source();
    const open = new OpenStreams();
    const ends: RelayEnd[] = [];
    const c = client(relayEventStream(s.body, "inference", open, (how) => ends.push(how)));
    expect(open.size).toBe(1);
    s.send("data: 1\n\n");
    expect(await c.next()).toBe("data: 1\n\n");
    s.send("data: 2\n\ndata: ");
    expect(await c.next()).toBe("data: 2\n\n");
    s.send("3\n");
    s.send("\ndata: [DONE]\n\n");
    s.close();
    expect(await c.rest()).toBe("data: 3\n\ndata: [DONE]\n\n");
    expect(open.size).toBe(0);
    expect(ends).toEqual([undefined]); // ended cleanly, told once
  });

  test("stopped between events: the shutdown's error event, the service's stream let go, the relay leaves the open set", async () => {
    const s = source();
    const open = new OpenStreams();
    const ends: RelayEnd[] = [];
    const c = client(relayEventStream(s.body, "inference", open, (how) => ends.push(how)));
    s.send("data: 1\n\n");
    expect(await c.next()).toBe("data: 1\n\n");
    const rest = c.rest();
    await Bun.sleep(5); // the relay waits for the service's next chunk
    expect(open.stopAll()).toBe(1);
    expect(await rest).toBe(SHUTDOWN_EVENT);
    expect(s.state.cancelled).toBe(true);
    expect(open.size).toBe(0);
    expect(ends).toEqual(["service_unavailable"]);
  });

  test("stopped with an event half sent: the half is dropped, the client reads whole events then the error event", async () => {
    const s = source();
    const open = new OpenStreams();
    const c = client(relayEventStream(s.body, "inference", open));
    s.send('data: 1\n\ndata: {"half');
    expect(await c.next()).toBe("data: 1\n\n");
    const rest = c.rest();
    await Bun.sleep(5);
    open.stopAll();
    expect(await rest).toBe(SHUTDOWN_EVENT);
  });

  test("the service's stream breaks off: a bad_gateway error event after the last whole event", async () => {
    const s = source();
    const ends: RelayEnd[] = [];
    const c = client(relayEventStream(s.body, "inference", new OpenStreams(), (how) => ends.push(how)));
    s.send('data: 1\n\ndata: {"ha');
    expect(await c.next()).toBe("data: 1\n\n");
    s.fail();
    expect(JSON.parse((await c.rest()).replace(/^data: /, ""))).toEqual({
      error: { message: "inference's stream broke off.", type: "server_error", param: null, code: "bad_gateway" },
    });
    expect(ends).toEqual(["bad_gateway"]);
  });

  test("an event past the size cap goes through as it comes; the error event after it starts with a blank line", async () => {
    const s = source();
    const c = client(relayEventStream(s.body, "inference", new OpenStreams()));
    const big = `data: ${"x".repeat(MAX_PARTIAL_EVENT_BYTES)}`;
    s.send(big);
    expect(await c.next()).toBe(big);
    s.fail();
    expect((await c.rest()).startsWith('\n\ndata: {"error":')).toBe(true);
  });

  test("the client goes away: the service's stream is let go and the relay leaves the open set", async () => {
    const s = source();
    const open = new OpenStreams();
    const ends: RelayEnd[] = [];
    const c = client(relayEventStream(s.body, "inference", open, (how) => ends.push(how)));
    s.send("data: 1\n\n");
    await c.next();
    await c.cancel();
    expect(s.state.cancelled).toBe(true);
    expect(open.size).toBe(0);
    expect(ends).toEqual(["client_closed_request"]);
  });
});
