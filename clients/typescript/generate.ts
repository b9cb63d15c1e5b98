// Generates src/schema.ts (the client's types) from the gateway's merged contract with openapi-typescript; run by `npm run openapi:gen`.
// It lives in the package because openapi-typescript needs TypeScript 5's compiler API, installed here (the repository uses 7).
import openapiTS, { astToString, type OpenAPI3 } from "openapi-typescript";

export const SCHEMA_FILE = "clients/typescript/src/schema.ts";

const HEADER = "// Types of the platform API, generated from openapi/gateway.json by openapi-typescript (`npm run openapi:gen`): do not edit.\n";

/** The text of src/schema.ts for `contract` (openapi/gateway.json). */
export async function clientSchemaSource(contract: unknown): Promise<string> {
  // A copy: openapi-typescript annotates the document it is given.
  const ast = await openapiTS(structuredClone(contract) as OpenAPI3, { silent: true });
  return HEADER + astToString(ast);
}
