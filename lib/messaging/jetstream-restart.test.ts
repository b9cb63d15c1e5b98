// Against a private nats-server child: no message loss across a kill -9 and restart, transient publish errors while down, and the ws:// path.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createLogger } from "../logging/logger.ts";
import { privateNatsServer as privateServer, until } from "../testing/nats-server.ts";
import { createJetStreamTransport } from "./jetstream/transport.ts";
import { type ConsumerConfig, PermanentPublishError, type Transport } from "./types.ts";

const enc = new TextEncoder();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("JetStream transport on a private nats-server", () => {
  let server: Awaited<ReturnType<typeof privateServer>>;
  beforeAll(async () => {
    server = await privateServer();
  }, 15_000);
  afterAll(async () => server?.dispose(), 15_000);

  test("publish and consume over ws://", async () => {
    const t = await createJetStreamTransport({ url: server.wsUrl, name: "ws-test" });
    try {
      await t.ensureStream({ name: "WS", subjects: ["ws.>"], duplicateWindowMs: 60_000 });
      const c: ConsumerConfig = { stream: "WS", durable: "ws", filterSubjects: ["ws.>"], ackWaitMs: 2_000, maxDeliver: 3, maxAckPending: 10 };
      await t.ensureConsumer(c);
      expect((await t.publish({ subject: "ws.a", id: "w1", data: enc.encode("over websocket"), headers: { k: "v" } })).seq).toBe(1);
      const got: string[] = [];
      const sub = await t.consume(c, {
        batch: 4,
        handler: async (d) => {
          got.push(`${d.id}:${new TextDecoder().decode(d.data)}:${d.headers.k}`);
          await d.ack();
        },
      });
      await until(() => got.length === 1, 5_000, "ws delivery");
      await sub.stop();
      expect(got).toEqual(["w1:over websocket:v"]);
      await t.ping();
    } finally {
      await t.close();
    }
  }, 15_000);

  test("kill -9 and restart mid-flow: the subscription resumes, no acked publish is lost, publishes while down fail transiently", async () => {
    const lines: string[] = [];
    const log = createLogger({ service: "restart-test", level: "debug", sink: (l) => lines.push(l) });
    const t: Transport = await createJetStreamTransport({ url: server.url, name: "restart-test", log });
    try {
      await t.ensureStream({ name: "FLOW", subjects: ["flow.>"], duplicateWindowMs: 60_000 });
      const c: ConsumerConfig = { stream: "FLOW", durable: "flow", filterSubjects: ["flow.>"], ackWaitMs: 2_000, maxDeliver: 100, maxAckPending: 100 };
      await t.ensureConsumer(c);
      const processed = new Set<string>();
      const sub = await t.consume(c, {
        batch: 8,
        concurrency: 2,
        handler: async (d) => {
          await d.ack(); // throws when the ack is not confirmed: then the message comes back, and counts only once acked
          processed.add(d.id ?? "");
        },
      });

      const acked: string[] = [];
      const failures: { id: string; err: unknown }[] = [];
      const state = { phase: "before" as "before" | "down" | "after" };
      let ackedAfter = 0;
      let running = true;
      const publisher = (async () => {
        for (let i = 0; running; i++) {
          const id = `m${i}`;
          try {
            await t.publish({ subject: "flow.tick", id, data: enc.encode(id) }, { timeoutMs: 500 });
            acked.push(id);
            if (state.phase === "after") ackedAfter++;
          } catch (err) {
            if (state.phase === "down") failures.push({ id, err });
            else if (state.phase === "before") throw err;
          }
          await sleep(10);
        }
      })();

      await until(() => processed.size >= 20, 5_000, "flow before the restart");
      state.phase = "down";
      await server.kill9();
      const downSince = Date.now();
      // Down long enough for failed reconnect attempts and several failed publishes.
      await until(() => failures.length >= 2 && Date.now() - downSince > 2_500, 8_000, "publishes failing while the server is down");
      await server.start();
      await until(
        () =>
          t.ping().then(
            () => true,
            () => false,
          ),
        10_000,
        "reconnect",
      );
      state.phase = "after";
      await until(() => ackedAfter >= 20, 10_000, "publishes after the restart");
      running = false;
      await publisher;
      // What failed while the server was down goes through now, as the outbox relay would retry it (same id).
      for (const { id } of failures) {
        await t.publish({ subject: "flow.tick", id, data: enc.encode(id) });
        acked.push(id);
      }
      await until(() => acked.every((id) => processed.has(id)), 15_000, "every acked publish processed");
      // An ack in flight when the server died may be lost with it: that delivery comes back after ack_wait (2 s) and is
      // acked then (at-least-once). Nothing may stay pending or unacked for good.
      await until(() => t.consumerLag("FLOW", "flow").then((l) => l.pending === 0 && l.ackPending === 0), 10_000, "nothing pending or unacked");
      await sub.stop();

      expect(failures.length).toBeGreaterThanOrEqual(2);
      for (const { err } of failures) {
        expect(err).toBeInstanceOf(Error);
        expect(err).not.toBeInstanceOf(PermanentPublishError);
      }
      const msgs = lines.map((l) => JSON.parse(l).msg as string);
      expect(msgs).toContain("nats disconnected");
      expect(msgs).toContain("nats reconnected");
      expect(await t.consumerLag("FLOW", "flow")).toEqual({ pending: 0, ackPending: 0 });
    } finally {
      await t.close();
    }
  }, 45_000);
});
