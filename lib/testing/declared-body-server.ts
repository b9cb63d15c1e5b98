// Test helper: an HTTP/1.1 server on loopback that declares a Content-Length and then sends less, slowly or never.
//
// The runtimes' own servers send a streamed body chunked whatever Content-Length the handler sets, so a client reading
// a body of declared length (Response.bytes(), which reads it whole) can only be put to a stall or a trickle by writing
// the answer by hand on a TCP socket.
import { createServer, type Server, type Socket } from "node:net";

export interface DeclaredBodyServerOptions {
  /** The Content-Length announced. */
  declared: number;
  /** Body bytes sent with the headers. */
  first: string;
  /** Then one more space every this many ms until the declared length is reached (never, when undefined). */
  everyMs?: number;
}

export interface DeclaredBodyServer {
  readonly url: string;
  /** performance.now() when each connection was closed by the client, in order of the requests. */
  closedAt(): (number | undefined)[];
  /** Requests seen (one per connection: it answers once and keeps the socket until the client closes it). */
  requests(): number;
  stop(): Promise<void>;
}

export async function declaredBodyServer(opts: DeclaredBodyServerOptions): Promise<DeclaredBodyServer> {
  const sockets = new Set<Socket>();
  const closed: (number | undefined)[] = [];
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    const index = closed.push(undefined) - 1;
    let head = "";
    let timer: ReturnType<typeof setInterval> | undefined;
    socket.on("data", (chunk) => {
      if (timer !== undefined || head.includes("\r\n\r\n")) return; // answered: the rest of the request body is ignored
      head += chunk.toString("latin1");
      if (!head.includes("\r\n\r\n")) return;
      socket.write(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${opts.declared}\r\n\r\n${opts.first}`);
      let sent = Buffer.byteLength(opts.first);
      if (opts.everyMs !== undefined)
        timer = setInterval(() => {
          if (sent >= opts.declared) return clearInterval(timer);
          socket.write(" ");
          sent++;
        }, opts.everyMs);
    });
    socket.on("close", () => {
      clearInterval(timer);
      closed[index] = performance.now();
      sockets.delete(socket);
    });
    socket.on("error", () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    closedAt: () => [...closed],
    requests: () => closed.length,
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
