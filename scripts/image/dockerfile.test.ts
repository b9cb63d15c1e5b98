// Dockerfile.bun and `npm run image` build the same image: same file list, same final-stage config, same compile.
import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { dockerfileDrift } from "./dockerfile-drift.ts";
import { parseRootfsList, ROOTFS_LIST } from "./rootfs.ts";

const dockerfile = readFileSync(join(import.meta.dir, "../../Dockerfile.bun"), "utf8");

describe("Dockerfile.bun and scripts/image", () => {
  test("agree on the final stage (FROM scratch, COPY, ENV, USER, ENTRYPOINT) and the build stage's sources", () => {
    expect(dockerfileDrift(dockerfile)).toEqual([]);
  });

  test("a Dockerfile that drifts is caught, naming the instruction", () => {
    const drifted = dockerfile
      .replace("USER 65532:65532", "USER 0:0")
      .replace('ENTRYPOINT ["/app"]', 'COPY --from=build /bin/sh /bin/sh\nENTRYPOINT ["/app", "--serve"]');
    const problems = dockerfileDrift(drifted);
    expect(problems.some((p) => p.startsWith("final stage USER") && p.includes('"0:0"'))).toBe(true);
    expect(problems.some((p) => p.startsWith("final stage ENTRYPOINT") && p.includes("--serve"))).toBe(true);
    expect(problems.some((p) => p.startsWith("final stage COPY") && p.includes("/bin/sh"))).toBe(true);
    expect(dockerfileDrift(dockerfile.replace("grep -v '^#' scripts/image/rootfs.txt", "grep -v '^#' my-files.txt"))).toContain(
      "build stage: does not read its file list from scripts/image/rootfs.txt",
    );
  });

  test("rootfs.txt lists the loader and the four glibc libraries, a 1777 /tmp, and files this machine has", () => {
    const entries = parseRootfsList(readFileSync(ROOTFS_LIST, "utf8"));
    const files = entries.filter((e) => e.kind === "file").map((e) => e.path);
    expect(files.map((f) => f.split("/").at(-1))).toEqual(["ld-linux-x86-64.so.2", "libc.so.6", "libm.so.6", "libpthread.so.0", "libdl.so.2"]);
    for (const f of files) expect(existsSync(f)).toBe(true);
    expect(entries).toContainEqual({ kind: "dir", path: "/tmp", mode: 0o1777, uid: 0, gid: 0 });
  });

  test("a malformed rootfs.txt line is refused with its line number", () => {
    expect(() => parseRootfsList("file /ok\ndir /tmp 1777\n")).toThrow("rootfs.txt line 2");
    expect(() => parseRootfsList("copy /etc/passwd\n")).toThrow("rootfs.txt line 1");
  });
});
