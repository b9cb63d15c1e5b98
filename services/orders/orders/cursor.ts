// Opaque pagination cursors: base64url of the last order id seen; anything else is a 400.
import { AppError } from "../../../lib/http/app-error.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function encodeCursor(lastId: string): string {
  return btoa(`o1:${lastId}`).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function decodeCursor(cursor: string): string {
  let text = "";
  try {
    text = atob(cursor.replace(/-/g, "+").replace(/_/g, "/"));
  } catch {
    // fall through to the error below
  }
  const id = text.startsWith("o1:") ? text.slice(3) : "";
  if (!UUID.test(id)) {
    throw new AppError("invalid_parameter", {
      detail: "cursor is not one returned by this API.",
      errors: [{ path: "query.cursor", message: "unknown cursor" }],
    });
  }
  return id;
}
