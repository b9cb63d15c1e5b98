// The hot path's check of the common chat body against the schema it stands in for, over generated bodies.
import { describe, expect, test } from "bun:test";
import { pick, type Random } from "../../../lib/testing/seeded-random.ts";
import { trialPlainCheck } from "../testing/plain-check.ts";
import { isPlainChatRequest } from "./plain-chat-request.ts";
import { ChatCompletionRequest } from "./schemas.ts";

const valid = () => ({
  model: "echo-chat",
  stream: true,
  stream_options: { include_usage: true },
  max_tokens: 100,
  temperature: 0.2,
  messages: [
    { role: "system", content: "Be brief." },
    { role: "user", content: [{ type: "text", text: "hi" }], name: "alice" },
  ],
});

/** Values a field may be changed to: each kind JSON has, and the edges of the schema's limits. */
const ODD: unknown[] = [null, true, false, 0, 1, -1, 1.5, 2 ** 53, "", "x", "m".repeat(256), "m".repeat(257), [], [{}], [{ role: 1 }], {}, { role: "user" }];
const odd = (r: Random): unknown => structuredClone(pick(r, ODD));

type Body = Record<string, unknown>;

/** One random change: a field removed, added or replaced, at the top or in a message. */
function mutate(body: Body, r: Random): void {
  const messages = Array.isArray(body.messages) ? (body.messages as unknown[]) : [];
  const message = messages.length > 0 && r() < 0.4 ? pick(r, messages) : undefined;
  const target = typeof message === "object" && message !== null && !Array.isArray(message) ? (message as Body) : body;
  const keys = Object.keys(target);
  const field = r() < 0.7 && keys.length > 0 ? pick(r, keys) : pick(r, ["model", "messages", "stream", "max_tokens", "role", "__proto__", "extra"]);
  const roll = r();
  if (roll < 0.15) delete target[field];
  else if (roll < 0.3 && Array.isArray(target[field])) (target[field] as unknown[]).push(odd(r));
  else if (roll < 0.4 && Array.isArray(target[field])) (target[field] as unknown[]).pop();
  else if (roll < 0.5) Object.defineProperty(target, field, { value: odd(r), enumerable: true, configurable: true, writable: true });
  else target[field] = odd(r);
}

describe("the plain chat body check", () => {
  test("whatever it accepts, the schema accepts and returns unchanged (20,000 generated bodies)", () => {
    const { plain, schemaOnly } = trialPlainCheck({ seed: 20261207, bodies: 20_000, valid, mutate, plain: isPlainChatRequest, schema: ChatCompletionRequest });
    expect(plain).toBeGreaterThan(3_000);
    expect(schemaOnly).toBeGreaterThan(10);
  });

  test("the common bodies are plain; an own __proto__ key goes to the schema", () => {
    expect(isPlainChatRequest(valid())).toBe(true);
    expect(isPlainChatRequest({ model: "m", messages: [{ role: "user", content: "hi" }] })).toBe(true);
    expect(isPlainChatRequest(JSON.parse('{"model":"m","messages":[{"role":"user"}],"__proto__":{"x":1}}'))).toBe(false);
    expect(isPlainChatRequest(JSON.parse('{"model":"m","messages":[{"role":"user","__proto__":{"x":1}}]}'))).toBe(false);
    expect(isPlainChatRequest({ model: "m", messages: [{ role: "user" }], max_tokens: 0 })).toBe(false);
    expect(isPlainChatRequest({ model: "m", messages: [{ role: "user" }], stream: "yes" })).toBe(false);
  });
});
