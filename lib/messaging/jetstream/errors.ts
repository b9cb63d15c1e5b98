// Sorts NATS/JetStream errors: which publishes will never succeed, which lookups mean "not there", and server versions.
import { JetStreamApiError } from "@nats-io/jetstream";
import { InvalidArgumentError, InvalidSubjectError, type NatsConnection } from "@nats-io/nats-core";
import { BrokerUnavailableError, PermanentPublishError } from "../types.ts";

/** JetStream API error codes this transport branches on. */
export const ApiCode = {
  MessageSizeExceeded: 10054,
  StreamNotFound: 10059,
  ConsumerNotFound: 10014,
  NoMessageFound: 10037,
  SequenceNotFound: 10043,
  StreamStoreEof: 10057,
  WrongLastSequence: 10071,
} as const;

/** The JetStream API error code (err_code) of `err`, if it is one. */
export function apiCode(err: unknown): number | undefined {
  return err instanceof JetStreamApiError ? err.code : undefined;
}

/**
 * True when the broker (or the client, on the broker's behalf) will never accept this message as given:
 * over the client's max_payload, over the stream's max_msg_size (err_code 10054), a malformed subject or
 * header, or any other 400 "bad request" answer to the publish. Timeouts, no responders (no stream yet, or
 * JetStream still starting) and disconnections are transient and stay ordinary errors.
 */
export function isPermanentPublishFailure(err: unknown): boolean {
  if (err instanceof InvalidArgumentError || err instanceof InvalidSubjectError) return true;
  if (err instanceof JetStreamApiError) {
    if (err.code === ApiCode.MessageSizeExceeded) return true;
    return err.status === 400 && err.code !== ApiCode.WrongLastSequence;
  }
  return false;
}

/** Wraps a publish failure: PermanentPublishError for messages that can never be stored, else the error itself. */
export function classifyPublishError(err: unknown, subject: string): Error {
  if (isPermanentPublishFailure(err)) {
    const message = err instanceof Error ? err.message : String(err);
    return new PermanentPublishError(`publish to ${subject} rejected for good: ${message}`, { cause: err });
  }
  // nats.js reports a publish nobody answered (no stream for the subject, or its leader being elected) as
  // "jetstream is not enabled", which sends operators looking in the wrong place.
  if (err instanceof Error && /jetstream is not enabled|no responders/i.test(err.message)) {
    return new BrokerUnavailableError(`no stream answered a publish to ${subject} (no stream for it, or its leader is being elected)`, { cause: err });
  }
  return err instanceof Error ? err : new Error(String(err));
}

/** True when the connected server's version is at least `min` ("2.11.0"). */
export function serverAtLeast(nc: NatsConnection, min: string): boolean {
  const have = (nc.info?.version ?? "0.0.0").split("-")[0]?.split(".").map(Number) ?? [];
  const want = min.split(".").map(Number);
  for (let i = 0; i < want.length; i++) {
    const a = have[i] ?? 0;
    const b = want[i] ?? 0;
    if (a !== b) return a > b;
  }
  return true;
}

/** A message for logs: the error's message (never a stack), with its JetStream code when it has one. */
export function describeError(err: unknown): string {
  if (err instanceof JetStreamApiError) return `${err.message} (err_code ${err.code})`;
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
