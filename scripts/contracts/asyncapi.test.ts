// The committed AsyncAPI document passes the AsyncAPI parser, names the platform's channels, and a broken one is refused.
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { validateAsyncApi } from "./validate-asyncapi.ts";

const text = readFileSync(join(import.meta.dir, "../../openapi/events/asyncapi.json"), "utf8");
const doc = JSON.parse(text);

test("openapi/events/asyncapi.json is valid AsyncAPI 3 for the parser, without a single finding", async () => {
  expect(doc.asyncapi).toStartWith("3.");
  expect(await validateAsyncApi(text)).toEqual([]);
}, 30_000); // the parser sets up its whole rule set per parse: seconds on a busy machine

test("it describes orders.placed, orders.cancelled and the DLQ envelope with the payloads the code validates", () => {
  const addresses = Object.values(doc.channels as Record<string, { address: string }>).map((c) => c.address);
  expect(addresses).toEqual(["orders.placed", "orders.cancelled", "dlq.{consumer}.{subject}"]);
  const { orderPlaced, orderCancelled, deadLetter } = doc.components.messages;
  expect(orderPlaced.payload.properties.type.const).toBe("order.placed");
  expect(orderPlaced.payload.properties.data.required).toContain("totalCents");
  expect(orderCancelled.payload.properties.data.required).toContain("cancelledAt");
  expect(deadLetter.payload.required).toEqual(expect.arrayContaining(["consumer", "stream", "seq", "subject", "payload", "error", "attempts"]));
});

test("the parser's errors come back: a dangling message reference is one", async () => {
  const broken = structuredClone(doc);
  broken.channels.ordersPlaced.messages.orderPlaced.$ref = "#/components/messages/missing";
  const findings = await validateAsyncApi(JSON.stringify(broken));
  expect(findings.filter((f) => f.severity === "error").map((f) => f.code)).toContain("invalid-ref");
}, 30_000);
