// Test helper: podman with a private store and the settings that run OCI images in this kind of sandbox (runc, vfs, cgroupfs).
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "./buildah.ts";

export interface Podman {
  /** Runs `podman <args>` with the sandbox settings; throws with its output on a non-zero exit. */
  (...args: string[]): Promise<string>;
  /** The same, returning exit code and output instead of throwing. */
  try(...args: string[]): Promise<{ code: number; out: string }>;
  /** Removes every container and the whole store. */
  destroy(): Promise<void>;
}

/** Names the missing tools (and how to get them) instead of letting a test fail on a spawn error. */
export function missingOciTools(): string | undefined {
  const missing = ["buildah", "podman", "runc"].filter((t) => !Bun.which(t));
  return missing.length === 0 ? undefined : `${missing.join(", ")} not found: run \`bash scripts/ci/ensure-oci.sh\` (or \`npm test\`, which runs it)`;
}

export async function createPodman(): Promise<Podman> {
  const dir = await mkdtemp(join(tmpdir(), "podman-test-"));
  const conf = join(dir, "containers.conf");
  // default_ulimits = []: podman's default RLIMIT_NPROC is refused here (setrlimit denied), so set no ulimits at all.
  // cgroup_manager = "cgroupfs": there is no systemd to ask for cgroups in this sandbox.
  await writeFile(conf, '[containers]\ndefault_ulimits = []\n\n[engine]\ncgroup_manager = "cgroupfs"\n');
  const base = [
    "podman",
    // A private store per test run: no shared /var/lib/containers state, removed afterwards.
    "--root",
    join(dir, "root"),
    "--runroot",
    join(dir, "run"),
    // vfs: overlay mounts are not allowed in this sandbox.
    "--storage-driver",
    "vfs",
    // runc, not crun: crun fails here (setrlimit NPROC denied; cgroups in hybrid mode).
    "--runtime",
    "runc",
    "--cgroup-manager",
    "cgroupfs",
  ];
  const env = { CONTAINERS_CONF: conf };
  const podman = ((...args: string[]) => run([...base, ...args], env)) as Podman;
  podman.try = async (...args) => {
    const proc = Bun.spawn([...base, ...args], { stdout: "pipe", stderr: "pipe", env: { ...process.env, ...env } });
    const [code, out, err] = await Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
    return { code, out: `${out}${err}` };
  };
  podman.destroy = async () => {
    await podman.try("rm", "--all", "--force", "--time", "0");
    await rm(dir, { recursive: true, force: true });
  };
  return podman;
}
