// Reads an OCI image archive (oci-archive tar): its config, and each layer's sizes and file entries, for reports and tests.
import { gunzipSync, gzipSync } from "bun";

export interface TarEntry {
  path: string;
  /** "file", "dir", "symlink", "hardlink" or the raw typeflag. */
  type: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  data: Uint8Array<ArrayBuffer>;
}

const TYPES: Record<string, string> = { "0": "file", "\0": "file", "5": "dir", "2": "symlink", "1": "hardlink" };

/** Parses an uncompressed (ustar/pax) tar. Leading "./" is dropped from paths. */
export function readTar(bytes: Uint8Array<ArrayBuffer>): TarEntry[] {
  const text = (from: number, len: number) => new TextDecoder().decode(bytes.subarray(from, from + len)).replace(/\0.*$/s, "");
  const octal = (from: number, len: number) => Number.parseInt(text(from, len).trim() || "0", 8);
  const entries: TarEntry[] = [];
  let paxPath: string | undefined;
  for (let off = 0; off + 512 <= bytes.length; ) {
    if (bytes.subarray(off, off + 512).every((b) => b === 0)) break;
    const size = octal(off + 124, 12);
    const flag = String.fromCharCode(bytes[off + 156] ?? 0);
    const data = bytes.subarray(off + 512, off + 512 + size);
    const prefix = text(off + 345, 155);
    const name = prefix ? `${prefix}/${text(off, 100)}` : text(off, 100);
    if (flag === "x") {
      // PAX extended header: "LEN key=value\n" records; only the path matters here.
      paxPath = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(new TextDecoder().decode(data))?.[1];
    } else if (flag !== "g") {
      const path = (paxPath ?? name).replace(/^\.?\/+/, "").replace(/\/$/, "");
      entries.push({ path, type: TYPES[flag] ?? flag, mode: octal(off + 100, 8), uid: octal(off + 108, 8), gid: octal(off + 116, 8), size, data });
      paxPath = undefined;
    }
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return entries;
}

export interface OciImage {
  config: { config?: { User?: string; Entrypoint?: string[]; Env?: string[]; Cmd?: string[] }; architecture?: string; os?: string };
  layers: { digest: string; mediaType: string; compressedBytes: number; uncompressedBytes: number; entries: TarEntry[] }[];
  /** Size of the .oci.tar file itself. */
  archiveBytes: number;
}

export async function inspectOciArchive(file: string): Promise<OciImage> {
  const archiveBytes = new Uint8Array(await Bun.file(file).arrayBuffer());
  const outer = new Map(readTar(archiveBytes).map((e) => [e.path, e.data]));
  const blob = (digest: string) => outer.get(`blobs/${digest.replace(":", "/")}`) ?? fail(`${file}: blob ${digest} missing`);
  const json = (bytes: Uint8Array) => JSON.parse(new TextDecoder().decode(bytes));
  const index = json(outer.get("index.json") ?? fail(`${file}: no index.json (not an oci-archive?)`));
  const manifest = json(blob(index.manifests[0].digest));
  const layers = (manifest.layers as { digest: string; mediaType: string; size: number }[]).map((l) => {
    const stored = blob(l.digest);
    const gzipped = l.mediaType.endsWith("+gzip");
    const tar = gzipped ? gunzipSync(stored) : stored;
    // An uncompressed layer is gzipped here, so the "compressed" figure always means what a registry would store.
    const compressedBytes = gzipped ? l.size : gzipSync(stored).length;
    return { digest: l.digest, mediaType: l.mediaType, compressedBytes, uncompressedBytes: tar.length, entries: readTar(tar) };
  });
  return { config: json(blob(manifest.config.digest)), layers, archiveBytes: archiveBytes.length };
}

function fail(message: string): never {
  throw new Error(message);
}
