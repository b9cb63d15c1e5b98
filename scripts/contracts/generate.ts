// Writes openapi/ and the typed client's types from the code (`bun run openapi:gen`), or with --check fails when the committed files differ.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { clientSchemaSource, SCHEMA_FILE } from "../../clients/typescript/generate.ts";
import { contractDocuments } from "./documents.ts";

const root = join(import.meta.dir, "..", "..");
const check = process.argv.includes("--check");
const stale: string[] = [];

/** Repository path → the text the code says it must hold. */
const files: Record<string, string> = {};
const documents = contractDocuments();
for (const [path, doc] of Object.entries(documents)) files[`openapi/${path}`] = `${JSON.stringify(doc, null, 2)}\n`;
files[SCHEMA_FILE] = await clientSchemaSource(documents["gateway.json"]);

for (const [path, text] of Object.entries(files)) {
  const file = join(root, path);
  if (check) {
    const current = await readFile(file, "utf8").catch(() => "");
    if (current !== text) stale.push(path);
    continue;
  }
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, text);
  console.log(`wrote ${path}`);
}

if (stale.length > 0) {
  console.error(`Contracts differ from the code: ${stale.join(", ")}\nRun \`npm run openapi:gen\` and commit the result.`);
  process.exit(1);
}
if (check) console.log("openapi/ and the typed client match the code");
