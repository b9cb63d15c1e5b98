// Builds one scratch OCI image with buildah, offline (no Docker engine, no registry), and writes it as an oci-archive.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IMAGE_CONFIG, populateRootfs, type RootfsEntry } from "./rootfs.ts";

export interface BuildImageOptions {
  /** Image reference inside the archive, e.g. localhost/bun-platform/orders:0.1.0. */
  reference: string;
  /** The compiled executable that becomes /app. */
  executable: string;
  entries: RootfsEntry[];
  /** Where the oci-archive goes (overwritten). */
  archive: string;
}

/** Runs a command, throwing with its output when it fails; returns its trimmed stdout. */
export async function run(cmd: string[], env: Record<string, string> = {}): Promise<string> {
  const proc = Bun.spawn(cmd, { stdout: "pipe", stderr: "pipe", env: { ...process.env, ...env } });
  const [code, out, err] = await Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  if (code !== 0) throw new Error(`${cmd.join(" ")} failed (exit ${code}):\n${err || out}`);
  return out.trim();
}

export async function buildImage(opts: BuildImageOptions): Promise<void> {
  if (!Bun.which("buildah")) throw new Error("buildah not found: run `bash scripts/ci/ensure-oci.sh` (installs Debian's buildah, podman and runc)");
  // A private, throw-away store per build: no shared /var/lib/containers state, nothing left behind, and the vfs
  // driver (plain directory copies) because overlay mounts are not allowed in this kind of sandbox.
  const store = await mkdtemp(join(tmpdir(), "image-build-"));
  const buildah = ["buildah", "--root", join(store, "root"), "--runroot", join(store, "run"), "--storage-driver", "vfs"];
  // chroot isolation: no namespaces needed (nothing is RUN inside the image anyway; it has no shell).
  const env = { BUILDAH_ISOLATION: "chroot" };
  try {
    const ctr = await run([...buildah, "from", "scratch"], env);
    // As root the container's filesystem is a plain directory under the store: fill it directly, with exact modes and owners.
    const mnt = await run([...buildah, "mount", ctr], env);
    await populateRootfs(mnt, opts.executable, opts.entries);
    await run([...buildah, "umount", ctr], env);
    const envArgs = Object.entries(IMAGE_CONFIG.env).flatMap(([k, v]) => ["--env", `${k}=${v}`]);
    await run([...buildah, "config", "--user", IMAGE_CONFIG.user, "--entrypoint", JSON.stringify(IMAGE_CONFIG.entrypoint), "--cmd", "", ...envArgs, ctr], env);
    // --timestamp 0: the same executable gives the same image digest, whenever it is built.
    await run([...buildah, "commit", "--timestamp", "0", "--rm", ctr, opts.reference], env);
    await rm(opts.archive, { force: true });
    await run([...buildah, "push", opts.reference, `oci-archive:${opts.archive}:${opts.reference}`], env);
  } finally {
    await rm(store, { recursive: true, force: true });
  }
}
