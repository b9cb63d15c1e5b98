// The shared dead-letter suite, run on the in-memory, JetStream and embedded transports with real PostgreSQL: DLQ, replay.
import { expect, test } from "bun:test";
import { AppError } from "../../../lib/http/app-error.ts";
import { createLogChannel } from "../channels/log-channel.ts";
import { describeWorker, type OpenScenarioEnv, ok } from "../testing/describe-worker.ts";
import { orderPlaced, TRACE_ID, TRACEPARENT } from "../testing/events.ts";
import { eventually } from "../testing/worker-harness.ts";

export function deadLetterScenarios(name: string, open: OpenScenarioEnv): void {
  describeWorker(`notifications dead letters [${name}]`, open, ({ stub, harness }) => {
    test("a permanent failure (webhook 4xx) → dead letter with the error and attempt count, then term; nothing recorded", async () => {
      const e = orderPlaced("rejected");
      stub.answer = (r) => (r.body.eventId === e.id ? new Response("unknown customer", { status: 422 }) : ok());
      const h = await harness();
      await h.publish(e, e.id, { traceparent: TRACEPARENT, "x-origin": "test" });
      await eventually(async () => (await h.deadLetters()).length === 1 && (await h.settled()), 10_000, "dead-lettered");
      const [dl] = await h.deadLetters();
      await h.stop();
      const seq = h.transport.of(e.id)[0]?.seq;
      expect(dl?.doc).toMatchObject({
        consumer: h.durable,
        stream: h.source.name,
        seq,
        subject: `${h.tag}.placed`,
        id: e.id,
        eventId: e.id,
        payload: JSON.stringify(e),
        error: "webhook answered 422",
        attempts: 1,
      });
      expect(dl?.doc.headers).toMatchObject({ traceparent: TRACEPARENT, "x-origin": "test" });
      expect(Date.parse(dl?.doc.deadAt ?? "")).toBeGreaterThanOrEqual(Date.parse(dl?.doc.publishedAt ?? ""));
      expect(h.transport.of(e.id).map((d) => d.settled?.as)).toEqual(["term"]);
      expect(await h.notifications([e.id])).toHaveLength(0);
      expect(await h.processedCount([e.id])).toBe(0);
      expect(h.lines.some((l) => l.msg === "message dead-lettered" && l.trace_id === TRACE_ID)).toBe(true);
    });

    test("a transient failure on the last allowed delivery → dead letter with attempts = max", async () => {
      const e = orderPlaced("down");
      stub.answer = (r) => (r.body.eventId === e.id ? new Response("down", { status: 500 }) : ok());
      const h = await harness({ maxDeliver: 3 });
      await h.publish(e);
      await eventually(async () => (await h.deadLetters()).length === 1 && (await h.settled()), 10_000, "dead-lettered");
      const [dl] = await h.deadLetters();
      await h.stop();
      expect(h.transport.of(e.id).map((d) => [d.deliveryCount, d.settled?.as])).toEqual([
        [1, "nak"],
        [2, "nak"],
        [3, "term"],
      ]);
      expect(dl?.doc).toMatchObject({ error: "webhook answered 500", attempts: 3, eventId: e.id });
      expect(Date.parse(dl?.doc.firstAttemptAt ?? "")).toBeLessThanOrEqual(Date.parse(dl?.doc.deadAt ?? ""));
      expect(await h.notifications([e.id])).toHaveLength(0);
    });

    test("invalid events among valid ones: each dead-lettered at once (permanent), every other one processed", async () => {
      stub.answer = ok;
      const h = await harness({ channel: createLogChannel() });
      const valid = Array.from({ length: 10 }, () => orderPlaced("mixed"));
      const enc = new TextEncoder();
      const invalid = [
        { id: "bad-json", data: enc.encode("{not json") },
        { id: "bad-schema", data: enc.encode(JSON.stringify({ ...orderPlaced(), data: { orderId: "nope" } })) },
        { id: "bad-bytes", data: new Uint8Array([0xff, 0xfe, 0xfd]) },
      ];
      for (let i = 0; i < valid.length; i++) {
        await h.publish(valid[i] as { id: string; type: string });
        const bad = invalid[i % 4];
        if (bad && i % 3 === 0) await h.publishRaw(bad.data, bad.id);
      }
      await eventually(async () => (await h.deadLetters()).length === 3 && (await h.settled()), 10_000, "all settled");
      const dls = await h.deadLetters();
      await h.stop();
      expect((await h.notifications(valid.map((e) => e.id))).length).toBe(10);
      expect(dls.map((d) => d.doc.id).sort()).toEqual(["bad-bytes", "bad-json", "bad-schema"]);
      expect(dls.every((d) => d.doc.attempts === 1)).toBe(true);
      expect(dls.find((d) => d.doc.id === "bad-bytes")?.doc).toMatchObject({
        encoding: "base64",
        payload: "//79",
        error: expect.stringContaining("not UTF-8 JSON"),
      });
      expect(dls.find((d) => d.doc.id === "bad-schema")?.doc.error).toContain("data.orderId");
      for (const bad of invalid) expect(h.transport.of(bad.id).map((d) => d.settled?.as)).toEqual(["term"]);
    });

    test("replay of a fixed dead letter processes it exactly once; replaying again (or after a crash) never doubles", async () => {
      const e = orderPlaced("replayed");
      let fixed = false;
      stub.answer = (r) => (r.body.eventId === e.id && !fixed ? new Response(null, { status: 404 }) : ok());
      const h = await harness();
      await h.publish(e, e.id, { traceparent: TRACEPARENT });
      await eventually(async () => (await h.deadLetters()).length === 1 && (await h.settled()), 10_000, "dead-lettered");
      const [dl] = await h.deadLetters();
      const dlqSeq = dl?.seq ?? 0;

      fixed = true;
      const replay = await h.replayer.replayOne(dlqSeq);
      expect(replay).toMatchObject({ seq: dlqSeq, subject: `${h.tag}.placed`, messageId: `${e.id}:replay:${dlqSeq}`, duplicate: false, removed: true });
      await eventually(async () => (await h.notifications([e.id])).length === 1 && (await h.settled()), 10_000, "replay processed");
      expect(await h.deadLetters()).toHaveLength(0);
      const again = await h.replayer.replayOne(dlqSeq).catch((err) => err);
      expect(again).toBeInstanceOf(AppError);
      expect((again as AppError).code).toBe("not_found");

      // A crash between publishing the replay and removing the dead letter leaves a copy behind; replaying it is harmless.
      const copy = await h.transport.publish({
        subject: `dlq.${h.durable}.${h.tag}.placed`,
        id: `copy-${dlqSeq}`,
        data: new TextEncoder().encode(JSON.stringify(dl?.doc)),
      });
      await h.replayer.replayOne(copy.seq);
      await eventually(async () => h.transport.of(`${e.id}:replay:${copy.seq}`).length === 1 && (await h.settled()), 10_000, "second replay settled");
      await h.stop();
      expect((await h.notifications([e.id])).length).toBe(1);
      expect(stub.delivered(e.id)).toBe(1);
      const replayed = h.transport.of(`${e.id}:replay:${dlqSeq}`);
      expect(replayed.map((d) => [d.deliveryCount, d.settled?.as])).toEqual([[1, "ack"]]);
      expect(h.consumer.stats.duplicates).toBe(1);
    });

    test("replay all: every dead letter of this consumer, bounded per call, counts returned", async () => {
      const events = Array.from({ length: 5 }, () => orderPlaced("bulk"));
      let fixed = false;
      stub.answer = (r) => (events.some((e) => e.id === r.body.eventId) && !fixed ? new Response(null, { status: 400 }) : ok());
      const h = await harness();
      for (const e of events) await h.publish(e);
      await eventually(async () => (await h.deadLetters()).length === 5 && (await h.settled()), 10_000, "dead-lettered");
      fixed = true;
      const first = await h.replayer.replayAll(3);
      expect([first.replayed, first.failed, first.more]).toEqual([3, 0, true]);
      const second = await h.replayer.replayAll(3);
      expect([second.replayed, second.failed, second.more]).toEqual([2, 0, false]);
      const ids = events.map((e) => e.id);
      await eventually(async () => (await h.notifications(ids)).length === 5 && (await h.settled()), 10_000, "replays processed");
      expect((await h.replayer.replayAll(3)).replayed).toBe(0);
      await h.stop();
    });

    test("the dead-letter stream failing: the message is redelivered, never terminated until its dead letter is stored", async () => {
      const h0 = { fails: 2 };
      const h = await harness();
      const realPublish = h.transport.publish;
      h.transport.publish = (m, o) => (m.subject.startsWith("dlq.") && h0.fails-- > 0 ? Promise.reject(new Error("dlq unavailable")) : realPublish(m, o));
      await h.publishRaw(new TextEncoder().encode("garbage"), "poison");
      await eventually(async () => (await h.deadLetters()).length === 1 && (await h.settled()), 10_000, "dead-lettered");
      const [dl] = await h.deadLetters();
      await h.stop();
      expect(h.transport.of("poison").map((d) => d.settled?.as)).toEqual(["nak", "nak", "term"]);
      expect(dl?.doc.attempts).toBe(3);
      expect(h.consumer.stats.deadLetterFailures).toBe(2);
    });
  });
}
