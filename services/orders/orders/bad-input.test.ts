// Bad input on every route: a specific 4xx problem+json each time, and nothing written.
import { beforeAll, describe, expect, test } from "bun:test";
import { describeEachDatabase } from "../../../lib/testing/each-database.ts";
import { ordersFixture, sampleOrder } from "../testing/fixture.ts";

const item = { sku: "A-1", quantity: 1, unitPriceCents: 100 };
const BAD_BODIES: [string, unknown, number, string][] = [
  ["malformed JSON", '{"currency": "EUR", ', 400, "invalid_json"],
  ["JSON array instead of object", "[]", 422, "validation_failed"],
  ["unknown top-level field", { ...sampleOrder(), discount: 10 }, 422, "validation_failed"],
  ["unknown item field", { currency: "EUR", items: [{ ...item, note: "x" }] }, 422, "validation_failed"],
  ["negative cents", { currency: "EUR", items: [{ ...item, unitPriceCents: -1 }] }, 422, "validation_failed"],
  ["fractional cents", { currency: "EUR", items: [{ ...item, unitPriceCents: 10.5 }] }, 422, "validation_failed"],
  ["cents as string", { currency: "EUR", items: [{ ...item, unitPriceCents: "100" }] }, 422, "validation_failed"],
  ["zero quantity", { currency: "EUR", items: [{ ...item, quantity: 0 }] }, 422, "validation_failed"],
  ["huge quantity", { currency: "EUR", items: [{ ...item, quantity: 1001 }] }, 422, "validation_failed"],
  ["no items", { currency: "EUR", items: [] }, 422, "validation_failed"],
  ["101 items", { currency: "EUR", items: Array.from({ length: 101 }, () => item) }, 422, "validation_failed"],
  ["unknown currency", { currency: "XYZ", items: [item] }, 422, "validation_failed"],
  ["lower-case currency", { currency: "eur", items: [item] }, 422, "validation_failed"],
  ["missing currency", { items: [item] }, 422, "validation_failed"],
  ["empty sku", { currency: "EUR", items: [{ ...item, sku: "" }] }, 422, "validation_failed"],
  ["total overflow", { currency: "EUR", items: [{ ...item, quantity: 1000, unitPriceCents: Number.MAX_SAFE_INTEGER }] }, 422, "amount_overflow"],
  [
    "overflow across lines",
    {
      currency: "EUR",
      items: [
        { ...item, unitPriceCents: Number.MAX_SAFE_INTEGER },
        { ...item, unitPriceCents: 1 },
      ],
    },
    422,
    "amount_overflow",
  ],
  ["oversized body", { currency: "EUR", items: [{ ...item, sku: "x".repeat(70_000) }] }, 413, "payload_too_large"],
];

describeEachDatabase("orders bad input", (db) => {
  let f: Awaited<ReturnType<typeof ordersFixture>>;
  let existingId: string;
  beforeAll(async () => {
    f = await ordersFixture(db());
    const c = await f.client("eve");
    existingId = (await (await c.post("/v1/orders", sampleOrder())).json()).id;
  });

  async function expectProblem(res: Response, status: number, code: string) {
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    const body = await res.json();
    expect({ status: res.status, code: body.code }).toEqual({ status, code });
    expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+/);
  }

  describe("POST /v1/orders bodies", () => {
    for (const [name, body, status, code] of BAD_BODIES) {
      test(`${name} → ${status} ${code}, nothing written`, async () => {
        const c = await f.client("eve");
        const before = await f.counts();
        await expectProblem(await c.post("/v1/orders", body), status, code);
        expect(await f.counts()).toEqual(before);
      });
    }
  });

  test("wrong content type → 415, nothing written", async () => {
    const c = await f.client("eve");
    const before = await f.counts();
    await expectProblem(await c.post("/v1/orders", JSON.stringify(sampleOrder()), undefined, { "content-type": "text/plain" }), 415, "unsupported_media_type");
    await expectProblem(
      await c.post("/v1/orders", "currency=EUR", undefined, { "content-type": "application/x-www-form-urlencoded" }),
      415,
      "unsupported_media_type",
    );
    // JSON in another charset would be read as UTF-8; another +json type is not what the contract declares.
    for (const type of ["application/json; charset=utf-16", "application/json; charset=iso-8859-1", "application/ld+json"]) {
      await expectProblem(await c.post("/v1/orders", JSON.stringify(sampleOrder()), undefined, { "content-type": type }), 415, "unsupported_media_type");
    }
    expect(await f.counts()).toEqual(before);
  });

  test("bad UUIDs in paths → 400 invalid_parameter", async () => {
    const c = await f.client("eve");
    for (const id of ["nope", "123", `${existingId}x`, "'; DROP TABLE orders;--"]) {
      await expectProblem(await c.get(`/v1/orders/${encodeURIComponent(id)}`), 400, "invalid_parameter");
      await expectProblem(await c.post(`/v1/orders/${encodeURIComponent(id)}/cancel`), 400, "invalid_parameter");
    }
  });

  test("bad cursors and limits → 400 invalid_parameter", async () => {
    const c = await f.client("eve");
    for (const q of [
      "cursor=!!!",
      "cursor=bm9wZQ",
      `cursor=${"a".repeat(65)}`,
      "limit=abc",
      "limit=-1",
      "limit=1.5",
      "limit=101",
      "status=shipped",
      "foo=bar",
      "limit=0x10",
      "limit=%2B1",
      "limit=01",
      "limit=1e1",
    ]) {
      await expectProblem(await c.get(`/v1/orders?${q}`), 400, "invalid_parameter");
    }
  });

  test("an undeclared query parameter is 400 on every operation, cancel and place included; nothing written", async () => {
    const c = await f.client("eve");
    const before = await f.counts();
    await expectProblem(await c.get(`/v1/orders/${existingId}?expand=items`), 400, "invalid_parameter");
    await expectProblem(await c.post(`/v1/orders/${existingId}/cancel?force=true`), 400, "invalid_parameter");
    await expectProblem(await c.post("/v1/orders?dryRun=1", sampleOrder()), 400, "invalid_parameter");
    expect(await f.counts()).toEqual(before);
    expect((await (await c.get(`/v1/orders/${existingId}`)).json()).status).toBe("placed");
  });

  test("a trailing slash is 404 on every route, never a 405 naming the method that was sent", async () => {
    const c = await f.client("eve");
    for (const [method, path] of [
      ["GET", "/v1/orders/"],
      ["POST", "/v1/orders/"],
      ["GET", `/v1/orders/${existingId}/`],
      ["POST", `/v1/orders/${existingId}/cancel/`],
      ["GET", "/healthz/"],
    ]) {
      const res = await c.request(path as string, { method });
      await expectProblem(res, 404, "not_found");
      expect(res.headers.get("allow")).toBeNull();
    }
  });

  test("unsupported method → 405 with Allow", async () => {
    const c = await f.client("eve");
    const res = await c.request(`/v1/orders/${existingId}`, { method: "DELETE" });
    await expectProblem(res, 405, "method_not_allowed");
    expect(res.headers.get("allow")).toBe("GET, HEAD");
  });
});
