// Development key pair kept in a file, so `npm start` and `npm run token` agree on the internal-token keys.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { type DevKeyPair, generateDevKeyPair } from "./dev-keys.ts";

/** Reads the pair from `path`, creating it (mode 0600) on first use. Never use this outside development. */
export async function loadOrCreateDevKeys(path: string): Promise<DevKeyPair> {
  try {
    return JSON.parse(await readFile(path, "utf8")) as DevKeyPair;
  } catch (err) {
    if ((err as { code?: string }).code !== "ENOENT") throw err;
  }
  const pair = await generateDevKeyPair("dev-internal-1");
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, JSON.stringify(pair), { mode: 0o600 });
  return pair;
}
