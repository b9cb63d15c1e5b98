// The listener a service opens before anything else loads: /healthz answers at once, the rest 503 until the service is ready.
import { problemResponse } from "../http/problem.ts";
import { requestIdFrom } from "../http/request-id.ts";
import { listenStarting, type StartingListener } from "./listen.ts";

/** The platform's default ports (DESIGN.md, fixed interfaces); `PORT` overrides. */
export const DEFAULT_PORTS = { gateway: 8080, orders: 8081, notifications: 8082, inference: 8083 } as const;

const json = (body: unknown, status: number, requestId: string) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", "x-request-id": requestId } });

/**
 * What a starting process answers: the process is alive (/healthz 200), not started or ready (/startupz and /readyz
 * 503 "starting", as the service's own probes say then), and every other request 503 problem+json with Retry-After.
 */
export function startingAnswer(req: Request): Response {
  const requestId = requestIdFrom(req.headers.get("x-request-id"));
  const path = new URL(req.url).pathname;
  if (req.method === "GET" || req.method === "HEAD") {
    if (path === "/healthz") return json({ status: "ok" }, 200, requestId);
    if (path === "/readyz" || path === "/startupz") return json({ status: "starting" }, 503, requestId);
  }
  return problemResponse("service_unavailable", {
    detail: "The service is starting; retry shortly.",
    requestId,
    instance: path,
    headers: { "retry-after": "1" },
  });
}

/** PORT as the env schema reads it, or undefined when it is no plain port number (the schema then reports it). */
export function portFromEnv(value: string | undefined, fallback: number): number | undefined {
  if (value === undefined || value === "") return fallback;
  if (!/^\d{1,5}$/.test(value)) return undefined;
  const port = Number(value);
  return port >= 1 && port <= 65535 ? port : undefined;
}

/**
 * For main.ts, before the service's modules load: listens on PORT (or the default) with the starting answers. Undefined
 * when PORT is invalid or the port cannot be bound: the start then listens itself and reports that as any failed start.
 */
/** `idleTimeoutSeconds`: the client sockets' idle limit the service will ask for by default (30 s otherwise). */
export function listenEarly(env: Record<string, string | undefined>, defaultPort: number, idleTimeoutSeconds?: number): StartingListener | undefined {
  const port = portFromEnv(env.PORT, defaultPort);
  if (port === undefined) return undefined;
  try {
    return listenStarting({ port, whileStarting: startingAnswer, idleTimeoutSeconds });
  } catch {
    return undefined;
  }
}
