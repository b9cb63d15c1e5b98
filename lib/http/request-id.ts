// The request id every response carries (X-Request-ID): the caller's when it is safe to echo, a new one otherwise.

// Accept a caller's id only when it is short and plain, so it is safe to log and echo.
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdFrom(header: string | undefined | null): string {
  return header && SAFE_REQUEST_ID.test(header) ? header : crypto.randomUUID();
}
