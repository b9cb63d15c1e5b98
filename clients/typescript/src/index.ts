// The platform's typed API client: openapi-fetch over the types generated from the gateway's contract, plus a user token, cursor paging and problem codes.
import createClient, { type Client, type ClientOptions } from "openapi-fetch";
import type { components, paths } from "./schema.ts";

export type { components, operations, paths } from "./schema.ts";

/** A named schema of the contract, e.g. `Schema<"Order">`. */
export type Schema<Name extends keyof components["schemas"]> = components["schemas"][Name];
/** RFC 9457 problem+json: every error the API answers. */
export type Problem = Schema<"Problem">;
/** The stable error codes of the contract's closed set. New codes may appear within v1: keep a default branch. */
export type ProblemCode = Problem["code"];
export type PlatformClient = Client<paths>;

export interface PlatformClientOptions {
  /** The gateway's origin, e.g. `https://api.example.com` (paths in the contract start with /v1). */
  baseUrl: string;
  /** The user's access token from your OIDC issuer; called before every request, so a refreshed token is picked up. */
  token?: () => string | undefined | Promise<string | undefined>;
  /** A fetch of your own (tests, retries, instrumentation); the global fetch otherwise. */
  fetch?: ClientOptions["fetch"];
  /** Headers sent with every request. */
  headers?: ClientOptions["headers"];
}

/** A client whose every path, parameter, body and answer is typed by the contract. */
export function createPlatformClient(options: PlatformClientOptions): PlatformClient {
  const client = createClient<paths>({ baseUrl: options.baseUrl, fetch: options.fetch, headers: options.headers });
  const token = options.token;
  if (token) {
    client.use({
      async onRequest({ request }) {
        const value = await token();
        if (value) request.headers.set("authorization", `Bearer ${value}`);
        return request;
      },
    });
  }
  return client;
}

/** Whether an `error` from the client is a problem+json body (it always is for the API's own errors). */
export function isProblem(error: unknown): error is Problem {
  if (typeof error !== "object" || error === null) return false;
  const e = error as Record<string, unknown>;
  return typeof e.code === "string" && typeof e.status === "number" && typeof e.title === "string";
}

/** One page of a cursor-paged list, as every list in the API answers it. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * Every item of a cursor-paged list, fetching pages as they are consumed. `fetchPage(cursor)` asks for one page
 * (cursor undefined for the first) and returns it, or throws; iteration stops after the page whose nextCursor is null.
 */
export async function* allItems<T>(fetchPage: (cursor: string | undefined) => Promise<Page<T>>): AsyncGenerator<T> {
  let cursor: string | undefined;
  do {
    const page = await fetchPage(cursor);
    yield* page.items;
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
}

/** Thrown by `unwrap` for an error answer: the problem, its code and the HTTP response. */
export class ProblemError extends Error {
  constructor(
    readonly problem: Problem,
    readonly response: Response,
  ) {
    super(`${problem.status} ${problem.code}: ${problem.detail ?? problem.title}`);
    this.name = "ProblemError";
  }
  get code(): ProblemCode {
    return this.problem.code;
  }
}

/** The data of a client call, or a ProblemError for its problem+json (any other failure becomes an Error naming the status). */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (error === undefined && response.ok) return data as T;
  if (isProblem(error)) throw new ProblemError(error, response);
  throw new Error(`HTTP ${response.status} without a problem body`);
}
