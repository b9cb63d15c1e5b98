// Schemas every paginated list shares: the `limit`/`cursor` query and the `{ items, nextCursor }` page.
import { z } from "@hono/zod-openapi";
import { decimalInteger, integerDoc } from "./query-params.ts";

/** What a cursor looks like (base64url, at most 64 characters): the same rule for the query and the page. */
const CURSOR = /^[A-Za-z0-9_-]+$/;

/** `limit` and `cursor`: the pagination query of every list (spread into the route's query object). */
export const pageQuery = (defaultLimit: number) => ({
  limit: decimalInteger(1, 100)
    .default(defaultLimit)
    .openapi({
      param: { name: "limit", in: "query" },
      ...integerDoc(1, 100),
      default: defaultLimit,
      example: defaultLimit,
      description: "Items per page, 1–100",
    }),
  cursor: z
    .string()
    .max(64)
    .regex(CURSOR, "not a cursor returned by this API")
    .optional()
    .openapi({ param: { name: "cursor", in: "query" }, description: "Opaque cursor from a previous page's nextCursor" }),
});

/** A page of `item`, registered in the contract as `name`. */
export const pageOf = <T extends z.ZodType>(item: T, name: string) =>
  z
    .object({
      items: z.array(item),
      nextCursor: z.string().max(64).regex(CURSOR).nullable().openapi({ description: "Pass as `cursor` to get the next page; null on the last page" }),
    })
    .openapi(name);
