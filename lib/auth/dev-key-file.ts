// Development key pairs kept in files, so `npm start` and the token commands agree on the keys.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { type DevKeyPair, generateDevKeyPair } from "./dev-keys.ts";

/** Reads the pair from `path`, creating it (mode 0600) on first use. Never use this outside development. */
export async function loadOrCreateDevKeys(path: string): Promise<DevKeyPair> {
  return loadOrCreateKeyFile(path, () => generateDevKeyPair("dev-internal-1"));
}

/** Reads JSON key material from `path`, or makes it with `create` and writes it there (mode 0600). */
export async function loadOrCreateKeyFile<T>(path: string, create: () => Promise<T>): Promise<T> {
  try {
    return JSON.parse(await readFile(path, "utf8")) as T;
  } catch (err) {
    if ((err as { code?: string }).code !== "ENOENT") throw err;
  }
  const value = await create();
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, JSON.stringify(value), { mode: 0o600 });
  return value;
}
