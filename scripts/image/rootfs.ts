// The contents of a service image: the file list in rootfs.txt (shared with Dockerfile.bun), /app, and the image config.
import { chmod, chown, copyFile, mkdir, readFile, stat } from "node:fs/promises";
import { dirname, join } from "node:path";

/** The final stage of Dockerfile.bun says the same (dockerfile.test.ts compares them). */
export const IMAGE_CONFIG = {
  user: "65532:65532",
  entrypoint: ["/app"],
  env: { DATA_DIR: "/data" } as Record<string, string>,
};

export type RootfsEntry = { kind: "file"; path: string } | { kind: "dir"; path: string; mode: number; uid: number; gid: number };

export const ROOTFS_LIST = join(import.meta.dir, "rootfs.txt");

/** Parses rootfs.txt: `file PATH` (copied from the build machine) or `dir PATH MODE UID:GID`; `#` starts a comment. */
export function parseRootfsList(text: string): RootfsEntry[] {
  const entries: RootfsEntry[] = [];
  for (const [i, raw] of text.split("\n").entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const [kind, path, mode, owner, ...rest] = line.split(/\s+/);
    const where = `rootfs.txt line ${i + 1}`;
    if (!path?.startsWith("/") || rest.length > 0) throw new Error(`${where}: expected "file PATH" or "dir PATH MODE UID:GID"`);
    if (kind === "file" && mode === undefined) entries.push({ kind, path });
    else if (kind === "dir" && mode && /^[0-7]{3,4}$/.test(mode) && /^\d+:\d+$/.test(owner ?? "")) {
      const [uid, gid] = (owner as string).split(":").map(Number) as [number, number];
      entries.push({ kind, path, mode: Number.parseInt(mode, 8), uid, gid });
    } else throw new Error(`${where}: expected "file PATH" or "dir PATH MODE UID:GID", got "${line}"`);
  }
  return entries;
}

export async function readRootfsList(): Promise<RootfsEntry[]> {
  return parseRootfsList(await readFile(ROOTFS_LIST, "utf8"));
}

/** Fills `root` (an empty directory, e.g. a buildah mount) with the listed files and dirs, and `executable` as /app. */
export async function populateRootfs(root: string, executable: string, entries: RootfsEntry[]): Promise<void> {
  for (const e of entries) {
    const target = join(root, e.path);
    if (e.kind === "dir") {
      await mkdir(target, { recursive: true });
      await chmod(target, e.mode);
      await chown(target, e.uid, e.gid);
    } else {
      await mkdir(dirname(target), { recursive: true });
      // copyFile follows symlinks (/lib64/ld-linux-x86-64.so.2 is one on Debian): the image gets the file itself.
      await copyFile(e.path, target);
      await chmod(target, (await stat(e.path)).mode & 0o7777);
    }
  }
  await copyFile(executable, join(root, "app"));
  await chmod(join(root, "app"), 0o755);
}
