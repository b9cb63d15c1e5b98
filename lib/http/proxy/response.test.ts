// The shared client-response builder: banners and hop-by-hop fields dropped, request fields and security headers added, list fields merged.
import { describe, expect, test } from "bun:test";
import { createClientResponseBuilder } from "./response.ts";

const upstream = () =>
  new Response("body", {
    status: 201,
    statusText: "Created",
    headers: {
      "content-type": "text/plain",
      server: "x/1",
      "x-powered-by": "y",
      connection: "x-hop",
      "x-hop": "1",
      vary: "Accept",
      location: "/a",
      ratelimit: '"chat-tokens";r=5;t=2',
    },
  });
const extra = { "x-request-id": "r1", ratelimit: '"orders";r=1;t=1', vary: "Origin" };

function check(res: Response) {
  expect(res.status).toBe(201);
  for (const gone of ["server", "x-powered-by", "connection", "x-hop"]) expect(res.headers.get(gone)).toBeNull();
  expect(res.headers.get("location")).toBe("/a");
  expect(res.headers.get("vary")).toBe("Accept, Origin");
  // The upstream's own limit (inference's token budget) stays beside the proxy's request-rate limit.
  expect(res.headers.get("ratelimit")).toBe('"chat-tokens";r=5;t=2, "orders";r=1;t=1');
  expect(res.headers.get("x-request-id")).toBe("r1");
  expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  expect(res.headers.get("cache-control")).toBe("no-store");
}

describe("client response", () => {
  test("edits the upstream response in place where the runtime allows it", async () => {
    const up = upstream();
    const res = createClientResponseBuilder()(up, extra);
    expect(res).toBe(up);
    check(res);
    expect(await res.text()).toBe("body");
  });

  test("rebuilds it around the body where headers are immutable (the spec's guard), and remembers that", async () => {
    const build = createClientResponseBuilder();
    let edits = 0;
    const guarded = (r: Response) => {
      const headers = new Proxy(r.headers, {
        get(target, prop) {
          if (prop === "set" || prop === "delete" || prop === "append") {
            return () => {
              edits++;
              throw new TypeError("immutable");
            };
          }
          const v = Reflect.get(target, prop, target);
          return typeof v === "function" ? v.bind(target) : v;
        },
      });
      return new Proxy(r, { get: (t, p) => (p === "headers" ? headers : Reflect.get(t, p, t)) }) as Response;
    };
    const first = build(guarded(upstream()), extra);
    check(first);
    expect(await first.text()).toBe("body");
    build(guarded(upstream()), extra);
    expect(edits).toBe(1);
  });
});
