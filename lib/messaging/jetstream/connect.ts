// Opens the NATS connection (TCP for nats:// and tls://, WebSocket for ws:// and wss://) that reconnects forever and logs its status.
import { type ConnectionOptions, type NatsConnection, wsconnect } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import type { Logger } from "../../logging/logger.ts";

export interface ConnectionState {
  readonly nc: NatsConnection;
  /** False between a disconnect and the next reconnect. */
  connected(): boolean;
}

/** Splits "nats://a:4222, nats://b:4222" into server URLs and tells which transport they need. */
export function parseServers(url: string): { servers: string[]; websocket: boolean; tls: boolean } {
  const servers = url
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (servers.length === 0) throw new Error("NATS URL is empty");
  const scheme = (s: string) => /^([a-z]+):\/\//i.exec(s)?.[1]?.toLowerCase() ?? "nats";
  const schemes = new Set(servers.map(scheme));
  for (const s of schemes) {
    if (!["nats", "tls", "ws", "wss"].includes(s)) throw new Error(`NATS URL scheme "${s}://" is not supported (nats, tls, ws, wss)`);
  }
  const websocket = schemes.has("ws") || schemes.has("wss");
  if (websocket && (schemes.has("nats") || schemes.has("tls"))) throw new Error("NATS URLs mix WebSocket (ws/wss) and TCP (nats/tls) servers");
  return { servers, websocket, tls: schemes.has("tls") };
}

/** The URL without credentials, for logs and error messages. */
export const redactUrl = (url: string): string => url.replace(/\/\/[^@/]*@/g, "//***@");

/** Connection events that may have cost publishes the server acknowledged (its store or the stream leader changed under us). */
export type ConnectionFaultListener = (what: "disconnect" | "reconnect") => void;

export async function openConnection(url: string, name: string, log: Logger, onFault: ConnectionFaultListener = () => {}): Promise<ConnectionState> {
  const { servers, websocket, tls } = parseServers(url);
  const opts: ConnectionOptions = {
    servers,
    name,
    // Never give up after the first connection: wait 1–3 s (jittered) between attempts, forever.
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1_000,
    reconnectJitter: 2_000,
    reconnectJitterTLS: 2_000,
    timeout: 5_000,
    // A silent dead peer is noticed after ~3 missed pings (~30 s) instead of the 2-minute default interval.
    pingInterval: 10_000,
    maxPingOut: 3,
    ...(tls && !websocket ? { tls: {} } : {}),
  };
  let nc: NatsConnection;
  try {
    nc = websocket ? await wsconnect(opts) : await connect(opts);
  } catch (err) {
    throw new Error(`cannot connect to NATS at ${redactUrl(url)}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  let up = true;
  log.info("nats connected", { server: nc.getServer(), version: nc.info?.version });
  void (async () => {
    for await (const s of nc.status()) {
      switch (s.type) {
        case "disconnect":
          up = false;
          log.warn("nats disconnected", { server: s.server });
          onFault("disconnect");
          break;
        case "reconnect":
          up = true;
          log.info("nats reconnected", { server: s.server, version: nc.info?.version });
          onFault("reconnect");
          break;
        case "reconnecting":
          log.debug("nats reconnecting");
          break;
        case "ldm":
          log.warn("nats server entering lame duck mode", { server: s.server });
          break;
        case "error":
          log.error("nats connection error", { err: s.error.message });
          break;
        case "staleConnection":
          log.warn("nats connection stale (pings unanswered)");
          break;
        case "slowConsumer":
          log.warn("nats slow consumer", { subject: s.sub.getSubject(), pending: s.pending });
          break;
        case "close":
          up = false;
          break;
        default:
          break;
      }
    }
  })();
  void nc.closed().then((err) => {
    up = false;
    if (err) log.error("nats connection closed with an error", { err: err.message });
    else log.info("nats connection closed");
  });
  return { nc, connected: () => up && !nc.isClosed() };
}
