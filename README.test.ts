// Keeps the README's configuration table in step with the services' env schemas.
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { gatewayEnv } from "./services/gateway/config.ts";
import { inferenceEnv } from "./services/inference/config.ts";
import { notificationsEnv } from "./services/notifications/config.ts";
import { ordersEnv } from "./services/orders/config.ts";

const readme = readFileSync(new URL("./README.md", import.meta.url), "utf8");
const documented = new Set([...readme.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \|/gm)].map((m) => m[1] ?? ""));

test("every env variable a service reads is documented in the README, and no other", () => {
  const read = new Set([ordersEnv, notificationsEnv, gatewayEnv, inferenceEnv].flatMap((schema) => Object.keys(schema.shape)));
  expect([...read].filter((v) => !documented.has(v))).toEqual([]);
  expect([...documented].filter((v) => !read.has(v))).toEqual([]);
});

test("the quick start is the two commands the project supports", () => {
  const pkg = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8"));
  expect(readme).toContain("npm install && npm start");
  expect(readme).toContain("npm test ");
  expect(pkg.scripts.start).toBeString();
  expect(pkg.scripts.test).toBeString();
});
