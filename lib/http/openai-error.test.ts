import { describe, expect, test } from "bun:test";
import { isOpenAiPath, openAiErrorEvent, openAiErrorOf, withOpenAiError } from "./openai-error.ts";
import { problemResponse } from "./problem.ts";

describe("openai-error", () => {
  test("a problem gains the OpenAI error member; status, headers and the problem's own members stay", async () => {
    const res = await withOpenAiError(problemResponse("rate_limited", { detail: "over budget", requestId: "r-1", headers: { "retry-after": "7" } }));
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("7");
    expect(res.headers.get("x-request-id")).toBe("r-1");
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    const body = await res.json();
    expect(body).toMatchObject({ code: "rate_limited", status: 429, detail: "over budget", request_id: "r-1" });
    expect(body.error).toEqual({ message: "over budget", type: "rate_limit_error", param: null, code: "rate_limited" });
  });

  test("param is the first field a validation problem names; without a detail the title is the message", () => {
    const e = openAiErrorOf({
      title: "Validation failed",
      status: 400,
      code: "validation_failed",
      errors: [
        { path: "body.messages", message: "required" },
        { path: "body.model", message: "required" },
      ],
    });
    expect(e).toEqual({ message: "Validation failed", type: "invalid_request_error", param: "body.messages", code: "validation_failed" });
    expect(openAiErrorOf({ title: "t", status: 401, code: "unauthorized" }).type).toBe("authentication_error");
    expect(openAiErrorOf({ title: "t", status: 403, code: "insufficient_scope" }).type).toBe("permission_error");
    expect(openAiErrorOf({ title: "t", status: 404, code: "not_found" }).type).toBe("not_found_error");
    expect(openAiErrorOf({ title: "t", status: 504, code: "backend_first_byte_timeout" }).type).toBe("server_error");
  });

  test("answers that are not problems pass untouched (the same object)", async () => {
    const ok = new Response('{"x":1}', { headers: { "content-type": "application/json" } });
    expect(await withOpenAiError(ok)).toBe(ok);
    const sse = new Response("data: [DONE]\n\n", { headers: { "content-type": "text/event-stream" } });
    expect(await withOpenAiError(sse)).toBe(sse);
  });

  test("only the paths OpenAI clients call", () => {
    expect(["/v1/chat/completions", "/v1/embeddings", "/v1/models"].every(isOpenAiPath)).toBe(true);
    expect(["/v1/models/lang-id/infer", "/v1/orders", "/v1/chat/completions/", "/v1/models/echo-chat"].some(isOpenAiPath)).toBe(false);
  });

  test("a stream's error event: OpenAI's four members; without a message the code's title", () => {
    const event = new TextDecoder().decode(openAiErrorEvent("service_unavailable", "shutting down"));
    expect(event.startsWith("data: ")).toBe(true);
    expect(event.endsWith("\n\n")).toBe(true);
    expect(JSON.parse(event.slice(6))).toEqual({
      error: { message: "shutting down", type: "server_error", param: null, code: "service_unavailable" },
    });
    const untold = JSON.parse(new TextDecoder().decode(openAiErrorEvent("backend_idle_timeout")).slice(6));
    expect(untold.error).toEqual({ message: "The model server went silent mid-answer", type: "server_error", param: null, code: "backend_idle_timeout" });
  });
});
