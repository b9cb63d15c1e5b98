// Opaque pagination cursors: base64url of "<kind>:<value>"; anything not minted by the same API is a 400.
import { AppError } from "./app-error.ts";

const toBase64Url = (s: string) => btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

/** Encodes the last key of a page; `kind` (e.g. "o1") versions the format and keeps cursors of different lists apart. */
export function encodeCursor(kind: string, value: string): string {
  return toBase64Url(`${kind}:${value}`);
}

/**
 * Decodes a cursor minted by `encodeCursor(kind, …)`; `parse` validates the value and returns it in
 * its typed form (undefined = invalid). Anything else answers 400 invalid_parameter on `query.cursor`.
 */
export function decodeCursor<T>(cursor: string, kind: string, parse: (value: string) => T | undefined): T {
  let text = "";
  try {
    text = atob(cursor.replace(/-/g, "+").replace(/_/g, "/"));
  } catch {
    // fall through to the error below
  }
  const prefix = `${kind}:`;
  const value = text.startsWith(prefix) ? parse(text.slice(prefix.length)) : undefined;
  if (value === undefined) {
    throw new AppError("invalid_parameter", {
      detail: "cursor is not one returned by this API.",
      errors: [{ path: "query.cursor", message: "unknown cursor" }],
    });
  }
  return value;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** `parse` for uuid keys (lower case, as Postgres returns them). */
export const uuidValue = (v: string): string | undefined => (UUID.test(v) ? v : undefined);

/** `parse` for positive integer keys such as stream sequence numbers. */
export const positiveIntValue = (v: string): number | undefined => {
  if (!/^[1-9][0-9]{0,15}$/.test(v)) return undefined;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : undefined;
};
