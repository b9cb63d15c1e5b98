// Runs the shared Transport contract against a real nats-server (TEST_NATS_URL), plus JetStream-specific checks.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { parseServers, redactUrl } from "./jetstream/connect.ts";
import { createJetStreamTransport } from "./jetstream/transport.ts";
import { transportContract } from "./transport.suite.ts";
import { BrokerUnavailableError, PermanentPublishError, type StreamConfig, type Transport } from "./types.ts";

const TEST_NATS_URL = process.env.TEST_NATS_URL || "nats://127.0.0.1:4222";

/** A transport on the test server that remembers the streams it ensured, so cleanup can delete them. Never skips. */
async function openTestTransport(): Promise<{ transport: Transport; streams: Set<string>; cleanup(): Promise<void> }> {
  let inner: Transport;
  try {
    inner = await createJetStreamTransport({ url: TEST_NATS_URL, name: "jetstream-test" });
  } catch (err) {
    throw new Error(
      `NATS with JetStream for tests failed at TEST_NATS_URL=${redactUrl(TEST_NATS_URL)} (${(err as Error).message}). Run scripts/ci/ensure-nats.sh; these tests never skip.`,
    );
  }
  const streams = new Set<string>();
  const transport: Transport = {
    ...inner,
    kind: inner.kind,
    ensureStream: (c: StreamConfig) => {
      streams.add(c.name);
      return inner.ensureStream(c);
    },
  };
  const cleanup = async () => {
    await inner.close();
    const nc = await connect({ servers: TEST_NATS_URL });
    const jsm = await jetstreamManager(nc);
    for (const s of streams) await jsm.streams.delete(s).catch(() => {});
    await nc.close();
  };
  return { transport, streams, cleanup };
}

transportContract("jetstream", openTestTransport);

describe("JetStream transport specifics", () => {
  let t: Transport;
  let cleanup: () => Promise<void>;
  const enc = new TextEncoder();
  const tag = `js${Date.now().toString(36)}`;
  const stream = tag.toUpperCase();

  beforeAll(async () => {
    ({ transport: t, cleanup } = await openTestTransport());
    await t.ensureStream({ name: stream, subjects: [`${tag}.>`], duplicateWindowMs: 60_000, maxMessageBytes: 4096 });
  }, 30_000);
  afterAll(async () => cleanup?.(), 30_000);

  test("server URLs: comma-separated, one transport kind, credentials kept out of logs", async () => {
    expect(parseServers(" nats://a:4222 , tls://b:4222,")).toEqual({ servers: ["nats://a:4222", "tls://b:4222"], websocket: false, tls: true });
    expect(parseServers("ws://a:8080,wss://b").websocket).toBe(true);
    expect(() => parseServers("nats://a,ws://b")).toThrow(/mix/);
    expect(() => parseServers("http://a")).toThrow(/not supported/);
    expect(redactUrl("nats://user:secret@a:4222,nats://b")).toBe("nats://***@a:4222,nats://b");
    const multi = await createJetStreamTransport({ url: `nats://127.0.0.1:1,${TEST_NATS_URL}`, name: "jetstream-test-multi" });
    await multi.ping(); // the unreachable first server is skipped
    await multi.close();
  });

  test("ensureStream updates an existing stream to the new settings", async () => {
    await t.ensureStream({ name: stream, subjects: [`${tag}.>`], duplicateWindowMs: 30_000, maxMessageBytes: 2048, maxAgeMs: 3_600_000 });
    const err = await t.publish({ subject: `${tag}.a`, id: "x1", data: new Uint8Array(3000) }).catch((e) => e);
    expect(err).toBeInstanceOf(PermanentPublishError);
    await t.ensureStream({ name: stream, subjects: [`${tag}.>`], duplicateWindowMs: 60_000, maxMessageBytes: 4096 });
    expect((await t.publish({ subject: `${tag}.a`, id: "x1", data: new Uint8Array(3000) })).duplicate).toBe(false);
  });

  test('a publish no stream answers names the subject, not "jetstream is not enabled"', async () => {
    const err = await t.publish({ subject: `nostream${tag}.x`, id: "n1", data: new Uint8Array(1) }, { timeoutMs: 1_000 }).catch((e) => e);
    expect(err).toBeInstanceOf(BrokerUnavailableError);
    expect(err.message).toBe(`no stream answered a publish to nostream${tag}.x (no stream for it, or its leader is being elected)`);
  });

  test("a payload over the server's max_payload is a PermanentPublishError", async () => {
    const err = await t.publish({ subject: `${tag}.a`, id: "huge", data: new Uint8Array(2 * 1024 * 1024) }).catch((e) => e);
    expect(err).toBeInstanceOf(PermanentPublishError);
  });

  test("stop() hands out what was already fetched, cancels the open pull, and leaves nothing to come back", async () => {
    const c = { stream, durable: "stopper", filterSubjects: [`${tag}.s`], ackWaitMs: 1_000, maxDeliver: 5, maxAckPending: 100 };
    await t.ensureConsumer(c);
    for (let i = 0; i < 8; i++) await t.publish({ subject: `${tag}.s`, id: `s${i}`, data: enc.encode("s") });
    const seen: string[] = [];
    const sub = await t.consume(c, {
      batch: 16,
      handler: async (d) => {
        seen.push(d.id ?? "");
        await new Promise((r) => setTimeout(r, 25));
        await d.ack();
      },
    });
    while (seen.length < 1) await new Promise((r) => setTimeout(r, 5));
    await sub.stop(); // the other 7 were fetched in the same pull: they are handled, not left to time out
    expect(seen).toEqual(["s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7"]);
    await t.publish({ subject: `${tag}.s`, id: "s8", data: enc.encode("s") });
    await new Promise((r) => setTimeout(r, 1_200)); // past ack_wait
    expect(await t.consumerLag(stream, "stopper")).toEqual({ pending: 1, ackPending: 0 }); // s8 went to no one
  });
});
