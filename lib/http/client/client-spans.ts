// Client spans for an upstream client: one per send() (retries included), named "METHOD /route/template".
import { withClientSpan } from "../../telemetry/http-spans.ts";
import type { UpstreamClient } from "./upstream-client.ts";

/** The client with a span around every call; createUpstreamClient applies it when tracing is on at creation. */
export function withClientSpans(client: UpstreamClient, baseUrl: string): UpstreamClient {
  const send = client.send;
  return {
    name: client.name,
    breaker: client.breaker,
    send: (req) => withClientSpan({ method: req.method, url: baseUrl + req.target, route: req.route, headers: req.headers }, () => send(req)),
  };
}
