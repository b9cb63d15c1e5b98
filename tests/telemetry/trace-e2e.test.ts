// One trace end to end: gateway → orders (HTTP, database, outbox) → relay publish → notifications worker, exported over OTLP.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { generateDevKeyPair } from "../../lib/auth/dev-keys.ts";
import { createSql, type Sql } from "../../lib/db/postgres.ts";
import { privateNatsServer, until } from "../../lib/testing/nats-server.ts";
import { type ServiceProcess, startService } from "../../lib/testing/service-process.ts";
import { createTempDatabase } from "../../lib/testing/temp-database.ts";
import { createUserTokenMinter, DEV_AUDIENCE, DEV_ISSUER_ID, generateDevIssuerKeys } from "../../services/gateway/dev-issuer/issuer.ts";
import { KIND, otlpReceiver, type ReceivedSpan } from "./otlp-receiver.ts";

const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER_SPAN = "00f067aa0ba902b7";

describe("distributed tracing end to end [postgres] [jetstream]", () => {
  const receiver = otlpReceiver();
  let ordersDb: Awaited<ReturnType<typeof createTempDatabase>>;
  let notificationsDb: Awaited<ReturnType<typeof createTempDatabase>>;
  let nats: Awaited<ReturnType<typeof privateNatsServer>>;
  let jwks: ReturnType<typeof Bun.serve>;
  let orders: ServiceProcess;
  let notifications: ServiceProcess;
  let gateway: ServiceProcess;
  let ordersSql: Sql;
  let token: string;

  beforeAll(async () => {
    [ordersDb, notificationsDb, nats] = await Promise.all([createTempDatabase("trace_orders"), createTempDatabase("trace_notif"), privateNatsServer()]);
    ordersSql = createSql(ordersDb.url, { max: 1, applicationName: "trace-e2e" });
    const issuer = await generateDevIssuerKeys("trace-e2e");
    jwks = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => Response.json(issuer.jwks) });
    token = await (await createUserTokenMinter(issuer))({ subject: "customer-t", scopes: ["orders:read", "orders:write"], audience: DEV_AUDIENCE });
    const internal = await generateDevKeyPair("trace-e2e");
    // Sampling stays at its default (parent-based, 10%): the sampled traceparent below is what keeps this trace.
    const otel = {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_BSP_SCHEDULE_DELAY: "100",
      OTEL_TRACES_SAMPLER: "",
      OTEL_TRACES_SAMPLER_ARG: "",
      OTEL_SDK_DISABLED: "",
      DRAIN_DELAY_MS: "0",
      LOG_LEVEL: "debug",
    };
    const services = { INTERNAL_AUTH_JWKS: JSON.stringify(internal.jwks), NATS_URL: nats.url, BROKER_DATABASE_URL: "" };
    [orders, notifications] = await Promise.all([
      startService(["bun", "services/orders/main.ts"], { ...otel, ...services, DATABASE_URL: ordersDb.url }, { timeoutMs: 30_000 }),
      startService(
        ["bun", "services/notifications/main.ts"],
        { ...otel, ...services, DATABASE_URL: notificationsDb.url, NOTIFY_CHANNEL: "log" },
        { timeoutMs: 30_000 },
      ),
    ]);
    gateway = await startService(
      ["bun", "services/gateway/main.ts"],
      {
        ...otel,
        JWKS_URL: `http://127.0.0.1:${jwks.port}/jwks.json`,
        JWT_ISSUER: DEV_ISSUER_ID,
        JWT_AUDIENCE: DEV_AUDIENCE,
        INTERNAL_AUTH_PRIVATE_JWK: JSON.stringify(internal.privateJwk),
        ORDERS_URL: orders.url,
      },
      { timeoutMs: 30_000 },
    );
  }, 90_000);

  afterAll(async () => {
    await Promise.all([gateway, orders, notifications].map((s) => s?.stop().catch(() => {})));
    await ordersSql?.end({ timeout: 1 });
    await nats?.dispose();
    await Promise.all([ordersDb?.drop(), notificationsDb?.drop()]);
    jwks?.stop(true);
    receiver.stop();
  }, 30_000);

  test("gateway, orders, relay and worker spans share the caller's trace, with the right parents; their log lines carry it", async () => {
    const res = await fetch(`${gateway.url}/v1/orders`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${token}`,
        "content-type": "application/json",
        "idempotency-key": crypto.randomUUID(),
        traceparent: `00-${TRACE_ID}-${CALLER_SPAN}-01`,
      },
      body: JSON.stringify({ currency: "EUR", items: [{ sku: "BOOK-1", quantity: 1, unitPriceCents: 1999 }] }),
    });
    expect(res.status).toBe(201);
    const order = (await res.json()) as { id: string };

    const inTrace = () => receiver.spans.filter((s) => s.traceId === TRACE_ID);
    const find = (service: string, kind: number, name?: string) =>
      inTrace().find((s) => s.service === service && s.kind === kind && (name === undefined || s.name === name));
    await until(() => find("notifications", KIND.CONSUMER) !== undefined, 20_000, "the worker's consumer span at the receiver");
    // Every span of the trace is exported by the time the last one arrives, bar batching: wait for the gateway's too.
    await until(() => find("gateway", KIND.SERVER) !== undefined && find("gateway", KIND.CLIENT) !== undefined, 10_000, "gateway spans");

    const gwServer = find("gateway", KIND.SERVER) as ReceivedSpan;
    const gwClient = find("gateway", KIND.CLIENT) as ReceivedSpan;
    const ordersServer = find("orders", KIND.SERVER, "POST /v1/orders") as ReceivedSpan;
    const producer = find("orders", KIND.PRODUCER) as ReceivedSpan;
    const consumer = find("notifications", KIND.CONSUMER) as ReceivedSpan;
    const dbSpans = inTrace().filter((s) => s.service === "orders" && s.attributes["db.system.name"] === "postgresql");

    expect(gwServer).toMatchObject({ name: "POST /v1/orders", parentSpanId: CALLER_SPAN });
    expect(gwClient).toMatchObject({ name: "POST /v1/orders", parentSpanId: gwServer.spanId });
    expect(gwClient.attributes["http.response.status_code"]).toBe(201);
    expect(ordersServer).toMatchObject({ parentSpanId: gwClient.spanId });
    expect(ordersServer.attributes["http.route"]).toBe("/v1/orders");
    expect(dbSpans.length).toBeGreaterThan(0);
    for (const s of dbSpans) expect(s.parentSpanId).toBe(ordersServer.spanId);
    // Placing an order is one round trip: SELECT * FROM place_order($1, …), values as parameters.
    const place = dbSpans.find((s) => String(s.attributes["db.query.text"]).includes("place_order("));
    expect(place).toMatchObject({ name: "SELECT", attributes: { "db.operation.name": "SELECT" } });
    expect(JSON.stringify(dbSpans)).not.toContain("BOOK-1");
    // The relay ran later, in its own loop: its producer span's parent is the request's span stored with the outbox row.
    const [row] = await ordersSql<{ traceparent: string }[]>`SELECT headers->>'traceparent' AS traceparent FROM outbox`;
    expect(row?.traceparent).toBe(`00-${TRACE_ID}-${ordersServer.spanId}-01`);
    expect(producer).toMatchObject({ name: "publish orders.placed", parentSpanId: ordersServer.spanId });
    expect(consumer).toMatchObject({ name: "process orders.placed", parentSpanId: producer.spanId });
    for (const s of [gwServer, gwClient, ordersServer, producer, consumer]) expect(s.status).not.toBe(2);

    // Log lines: the gateway's access line, the orders request line and publish line, the worker's lines.
    const lines = (svc: ServiceProcess) =>
      svc
        .output()
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    const ofTrace = (svc: ServiceProcess) => lines(svc).filter((l) => l.trace_id === TRACE_ID);
    expect(ofTrace(gateway).find((l) => l.msg === "request")).toMatchObject({ span_id: gwServer.spanId, status: 201 });
    expect(ofTrace(orders).find((l) => l.msg === "request")).toMatchObject({ span_id: ordersServer.spanId, status: 201 });
    expect(ofTrace(orders).find((l) => l.msg === "message published")).toMatchObject({ span_id: producer.spanId });
    const workerLines = ofTrace(notifications);
    expect(workerLines.length).toBeGreaterThan(0);
    for (const l of workerLines) expect(l.span_id).toBe(consumer.spanId);
    expect(workerLines.map((l) => l.msg)).toContain("event processed");
    expect(JSON.stringify(workerLines)).toContain(order.id);
  }, 60_000);

  test("shutdown flushes what is buffered and stays within the grace period", async () => {
    const code = await gateway.stop("SIGTERM");
    expect(code).toBe(0);
    expect(gateway.output()).toContain('"resource":"telemetry"');
  }, 20_000);
});
