// Test double for code that only publishes (the outbox relay): publish() is the given function, everything else rejects.
import type { OutgoingMessage, PublishAck, Transport } from "../types.ts";

export function publishOnlyTransport(publish: (m: OutgoingMessage) => Promise<PublishAck>, kind = "publish-only"): Transport {
  const unused = () => Promise.reject(new Error(`${kind} transport: only publish() is available`));
  return {
    kind,
    publish: (m) => publish(m),
    ensureStream: unused,
    ensureConsumer: unused,
    consume: unused,
    consumerLag: unused,
    countMessages: unused,
    listMessages: unused,
    getMessage: unused,
    deleteMessage: unused,
    watchFaults: () => () => {},
    ping: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}
