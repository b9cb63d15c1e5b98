// The dead-letter admin API through app.request: admin scope, list / inspect / replay one / replay all, and bad input.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createSql, type Sql } from "../../../lib/db/postgres.ts";
import { encodeCursor } from "../../../lib/http/cursor.ts";
import { createMemoryTransport } from "../../../lib/messaging/testing/memory-transport.ts";
import { DLQ_STREAM, ORDERS_STREAM } from "../../../lib/messaging/topology.ts";
import { PermanentPublishError, type Transport } from "../../../lib/messaging/types.ts";
import { createTempDatabase } from "../../../lib/testing/temp-database.ts";
import { orderPlaced, TRACEPARENT } from "../testing/events.ts";
import { ADMIN, notificationsFixture, READ } from "../testing/fixture.ts";
import type { DeadLetterDocument } from "./document.ts";

const enc = new TextEncoder();

describe("dead-letter admin API", () => {
  let temp: Awaited<ReturnType<typeof createTempDatabase>>;
  let sql: Sql;
  let transport: Transport;
  let f: Awaited<ReturnType<typeof notificationsFixture>>;
  let admin: Awaited<ReturnType<typeof f.client>>;
  let n = 0;

  /** Stores a dead letter as the worker does; returns its DLQ seq. */
  const deadLetter = async (over: Partial<DeadLetterDocument> = {}, consumer = "notifications") => {
    const e = orderPlaced("dl-customer");
    const doc: DeadLetterDocument = {
      consumer,
      stream: "ORDERS",
      seq: ++n,
      subject: "orders.placed",
      id: e.id,
      eventId: e.id,
      headers: { traceparent: TRACEPARENT, "Nats-Msg-Id": e.id },
      payload: JSON.stringify(e),
      error: "webhook answered 404",
      attempts: 1,
      publishedAt: new Date().toISOString(),
      deadAt: new Date().toISOString(),
      ...over,
    };
    const ack = await transport.publish({
      subject: `dlq.${consumer}.${doc.subject}`,
      id: `dlq:${consumer}:ORDERS:${doc.seq}`,
      data: enc.encode(JSON.stringify(doc)),
    });
    return ack.seq;
  };
  const problem = async (res: Response, status: number, code: string) => {
    expect([res.status, res.headers.get("content-type")]).toEqual([status, "application/problem+json"]);
    const body = await res.json();
    expect(body.code).toBe(code);
    return body;
  };

  beforeAll(async () => {
    temp = await createTempDatabase("notif_dlq_api");
    sql = createSql(temp.url, { max: 2 });
    transport = createMemoryTransport();
    await transport.ensureStream(ORDERS_STREAM);
    f = await notificationsFixture(sql, transport);
    admin = await f.client("ops", ADMIN);
  });
  afterAll(async () => {
    await sql.end({ timeout: 1 });
    await temp.drop();
  });

  test("every dead-letter route needs notifications:admin (403 with only notifications:read; 401 without a token)", async () => {
    const reader = await f.client("someone", READ);
    for (const [method, path] of [
      ["GET", "/v1/notifications/dead-letters"],
      ["GET", "/v1/notifications/dead-letters/1"],
      ["POST", "/v1/notifications/dead-letters/1/replay"],
      ["POST", "/v1/notifications/dead-letters/replay"],
    ] as const) {
      await problem(await (method === "GET" ? reader.get(path) : reader.post(path)), 403, "insufficient_scope");
      await problem(await f.app.request(path, { method }), 401, "unauthorized");
    }
  });

  test("list: this consumer's dead letters oldest first, paginated; other consumers' are not shown", async () => {
    const mine = [await deadLetter(), await deadLetter({ error: "bad" }), await deadLetter()];
    await deadLetter({}, "someone-else");
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const res = await admin.get(`/v1/notifications/dead-letters?limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      expect(res.status).toBe(200);
      const page: { items: { seq: number }[]; nextCursor: string | null } = await res.json();
      seen.push(...page.items.map((i) => i.seq));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(expect.arrayContaining(mine));
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    const all = await (await admin.get("/v1/notifications/dead-letters?limit=100")).json();
    const item = all.items.find((i: { seq: number }) => i.seq === mine[1]);
    expect(item).toMatchObject({ seq: mine[1], subject: "orders.placed", stream: "ORDERS", error: "bad", attempts: 1, firstAttemptAt: null });
    expect(item.payload).toBeUndefined();
  });

  test("inspect: the full original message; 404 when absent or another consumer's; 422 when unreadable", async () => {
    const seq = await deadLetter({ firstAttemptAt: new Date().toISOString() });
    const res = await admin.get(`/v1/notifications/dead-letters/${seq}`);
    expect(res.status).toBe(200);
    const dl = await res.json();
    expect(dl).toMatchObject({ seq, consumer: "notifications", encoding: "utf-8", truncated: false, headers: { traceparent: TRACEPARENT } });
    expect(JSON.parse(dl.payload).type).toBe("order.placed");
    await problem(await admin.get("/v1/notifications/dead-letters/999999"), 404, "not_found");
    await problem(await admin.get(`/v1/notifications/dead-letters/${await deadLetter({}, "someone-else")}`), 404, "not_found");
    const junk = await transport.publish({ subject: "dlq.notifications.orders.placed", id: "junk", data: enc.encode("{}") });
    await problem(await admin.get(`/v1/notifications/dead-letters/${junk.seq}`), 422, "dead_letter_not_replayable");
    await problem(await admin.post(`/v1/notifications/dead-letters/${junk.seq}/replay`), 422, "dead_letter_not_replayable");
    await transport.deleteMessage(DLQ_STREAM.name, junk.seq);

    const cut = await deadLetter({ payload: '{"specversion":', truncated: true });
    expect(await (await admin.get(`/v1/notifications/dead-letters/${cut}`)).json()).toMatchObject({ truncated: true });
    const body = await problem(await admin.post(`/v1/notifications/dead-letters/${cut}/replay`), 422, "dead_letter_not_replayable");
    expect(body.detail).toContain("only the start of its payload");
    await transport.deleteMessage(DLQ_STREAM.name, cut);
  });

  test("replay one: original subject, payload and headers with a new id; removed from the DLQ; 404 the second time", async () => {
    const seq = await deadLetter();
    const doc = (await (await admin.get(`/v1/notifications/dead-letters/${seq}`)).json()) as { messageId: string; payload: string };
    const res = await admin.post(`/v1/notifications/dead-letters/${seq}/replay`);
    expect(res.status).toBe(200);
    const out = await res.json();
    expect(out).toMatchObject({
      seq,
      subject: "orders.placed",
      messageId: `${doc.messageId}:replay:${seq}`,
      stream: "ORDERS",
      duplicate: false,
      removed: true,
    });
    const published = await transport.getMessage("ORDERS", out.streamSeq);
    expect(published?.id).toBe(`${doc.messageId}:replay:${seq}`);
    expect(new TextDecoder().decode(published?.data)).toBe(doc.payload);
    expect(published?.headers).toEqual({ traceparent: TRACEPARENT }); // the broker's own Nats-* headers are not copied
    await problem(await admin.post(`/v1/notifications/dead-letters/${seq}/replay`), 404, "not_found");
  });

  test("replay all: bounded by limit, oldest first, reports each outcome and whether more wait", async () => {
    for (const { items } of [await (await admin.get("/v1/notifications/dead-letters?limit=100")).json()]) {
      for (const i of items) await transport.deleteMessage(DLQ_STREAM.name, i.seq);
    }
    const seqs = [await deadLetter(), await deadLetter(), await deadLetter({ payload: "binary", encoding: "base64" })];
    const first = await (await admin.post("/v1/notifications/dead-letters/replay?limit=2")).json();
    expect(first).toMatchObject({ replayed: 2, failed: 0, more: true });
    expect(first.results.map((r: { seq: number }) => r.seq)).toEqual(seqs.slice(0, 2));
    const rest = await (await admin.post("/v1/notifications/dead-letters/replay")).json();
    expect(rest).toMatchObject({ replayed: 1, failed: 0, more: false, results: [{ seq: seqs[2], status: "replayed" }] });
    expect(await (await admin.post("/v1/notifications/dead-letters/replay")).json()).toEqual({ replayed: 0, failed: 0, results: [], more: false });
  });

  test("bad seq, cursor or limit → 400 problem+json", async () => {
    for (const path of [
      "/v1/notifications/dead-letters/abc",
      "/v1/notifications/dead-letters/0",
      "/v1/notifications/dead-letters/-1",
      "/v1/notifications/dead-letters/1.5",
      "/v1/notifications/dead-letters/99999999999999999999",
      "/v1/notifications/dead-letters?limit=0",
      "/v1/notifications/dead-letters?limit=101",
      "/v1/notifications/dead-letters?cursor=bad!",
      `/v1/notifications/dead-letters?cursor=${encodeCursor("n1", "0192f1b4-7c1e-7000-8000-0000000000a1")}`,
      `/v1/notifications/dead-letters?cursor=${encodeCursor("d1", "-4")}`,
    ]) {
      await problem(await admin.get(path), 400, "invalid_parameter");
    }
    await problem(await admin.post("/v1/notifications/dead-letters/x/replay"), 400, "invalid_parameter");
    await problem(await admin.post("/v1/notifications/dead-letters/replay?limit=0"), 400, "invalid_parameter");
    await problem(await admin.post("/v1/notifications/dead-letters/replay?limit=1001"), 400, "invalid_parameter");
  });

  test("the broker down → 503; the broker refusing the replay → 422", async () => {
    const broken: Transport = {
      ...transport,
      listMessages: () => Promise.reject(new Error("connection closed")),
      getMessage: () => Promise.reject(new Error("connection closed")),
    };
    const down = await notificationsFixture(sql, broken);
    const ops = await down.client("ops", ADMIN);
    await problem(await ops.get("/v1/notifications/dead-letters"), 503, "service_unavailable");
    await problem(await ops.get("/v1/notifications/dead-letters/1"), 503, "service_unavailable");

    const seq = await deadLetter();
    const refusing = await notificationsFixture(sql, { ...transport, publish: () => Promise.reject(new PermanentPublishError("message too large")) });
    const ops2 = await refusing.client("ops", ADMIN);
    const body = await problem(await ops2.post(`/v1/notifications/dead-letters/${seq}/replay`), 422, "dead_letter_not_replayable");
    expect(body.detail).toContain("message too large");
    const flaky = await notificationsFixture(sql, { ...transport, publish: () => Promise.reject(new Error("timeout")) });
    await problem(await (await flaky.client("ops", ADMIN)).post(`/v1/notifications/dead-letters/${seq}/replay`), 503, "service_unavailable");
    expect((await admin.get(`/v1/notifications/dead-letters/${seq}`)).status).toBe(200); // still there
  });
});
