// Writes openapi/ from the code (`bun run openapi:gen`), or with --check fails when the committed files differ.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { contractDocuments } from "./documents.ts";

const root = join(import.meta.dir, "..", "..", "openapi");
const check = process.argv.includes("--check");
const stale: string[] = [];

for (const [path, doc] of Object.entries(contractDocuments())) {
  const file = join(root, path);
  const text = `${JSON.stringify(doc, null, 2)}\n`;
  if (check) {
    const current = await readFile(file, "utf8").catch(() => "");
    if (current !== text) stale.push(`openapi/${path}`);
    continue;
  }
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, text);
  console.log(`wrote openapi/${path}`);
}

if (stale.length > 0) {
  console.error(`Contracts differ from the code: ${stale.join(", ")}\nRun \`npm run openapi:gen\` and commit the result.`);
  process.exit(1);
}
if (check) console.log("openapi/ matches the code");
