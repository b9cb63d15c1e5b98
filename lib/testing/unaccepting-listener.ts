// Test helper: a loopback port whose TCP connects hang, as they do to a host that drops SYNs (dead node, full backlog).
//
// A listening socket with a backlog of zero that never accepts: once a couple of connections fill its queue, the kernel
// drops further SYNs and every new connect waits (SYN retries, minutes). The runtimes' own listeners always accept,
// so the socket comes from libc through bun:ffi (Linux).
import { dlopen, FFIType, ptr } from "bun:ffi";
import { createConnection, type Socket } from "node:net";

export interface UnacceptingListener {
  readonly port: number;
  close(): void;
}

const AF_INET = 2;
const SOCK_STREAM = 1;

export async function unacceptingListener(): Promise<UnacceptingListener> {
  const libc = dlopen("libc.so.6", {
    socket: { args: [FFIType.i32, FFIType.i32, FFIType.i32], returns: FFIType.i32 },
    bind: { args: [FFIType.i32, FFIType.ptr, FFIType.u32], returns: FFIType.i32 },
    listen: { args: [FFIType.i32, FFIType.i32], returns: FFIType.i32 },
    getsockname: { args: [FFIType.i32, FFIType.ptr, FFIType.ptr], returns: FFIType.i32 },
    close: { args: [FFIType.i32], returns: FFIType.i32 },
  });
  const { socket, bind, listen, getsockname, close } = libc.symbols;
  const fd = socket(AF_INET, SOCK_STREAM, 0);
  // struct sockaddr_in: family (host order), port 0 (any), 127.0.0.1 (network order).
  const addr = new Uint8Array(16);
  addr[0] = AF_INET;
  addr.set([127, 0, 0, 1], 4);
  const len = new Uint32Array([16]);
  if (fd < 0 || bind(fd, ptr(addr), 16) !== 0 || listen(fd, 0) !== 0 || getsockname(fd, ptr(addr), ptr(len)) !== 0) {
    if (fd >= 0) close(fd);
    libc.close();
    throw new Error("unacceptingListener: socket/bind/listen failed");
  }
  const port = ((addr[2] as number) << 8) | (addr[3] as number);
  // Fill the accept queue; these fillers may or may not complete their own handshakes, which does not matter.
  const fillers: Socket[] = [];
  for (let i = 0; i < 3; i++) {
    const s = createConnection({ host: "127.0.0.1", port });
    s.on("error", () => {});
    fillers.push(s);
  }
  await Bun.sleep(50);
  return {
    port,
    close() {
      for (const s of fillers) s.destroy();
      close(fd);
      libc.close();
    },
  };
}
