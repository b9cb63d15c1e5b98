// Test helper: a local webhook receiver (Bun.serve) whose answer per request the test decides, recording every request.
export interface StubRequest {
  idempotencyKey: string | null;
  traceparent: string | null;
  contentType: string | null;
  body: { eventId: string; customerId: string; type: string; message: string; [k: string]: unknown };
  at: number;
}

export type StubAnswer = (req: StubRequest, nth: number) => Response | Promise<Response>;

export interface WebhookStub {
  url: string;
  requests: StubRequest[];
  /** Requests for one event id. */
  forEvent(eventId: string): StubRequest[];
  /** Successful (2xx) answers per event id. */
  delivered(eventId: string): number;
  answer: StubAnswer;
  stop(): Promise<void>;
}

export function startWebhookStub(answer: StubAnswer = () => new Response(null, { status: 204 })): WebhookStub {
  const requests: StubRequest[] = [];
  const ok = new Map<string, number>();
  const stub: WebhookStub = {
    url: "",
    requests,
    forEvent: (id) => requests.filter((r) => r.body.eventId === id),
    delivered: (id) => ok.get(id) ?? 0,
    answer,
    stop: async () => {
      await server.stop(true);
    },
  };
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      const r: StubRequest = {
        idempotencyKey: req.headers.get("idempotency-key"),
        traceparent: req.headers.get("traceparent"),
        contentType: req.headers.get("content-type"),
        body: await req.json(),
        at: Date.now(),
      };
      requests.push(r);
      const res = await stub.answer(r, stub.forEvent(r.body.eventId).length);
      if (res.status >= 200 && res.status < 300) ok.set(r.body.eventId, (ok.get(r.body.eventId) ?? 0) + 1);
      return res;
    },
  });
  stub.url = `http://127.0.0.1:${server.port}/hooks/notifications`;
  return stub;
}
