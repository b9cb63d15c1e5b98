// The gateway's /docs in headless Chromium (Debian's, driven by playwright-core): the compiled executable's embedded renderer shows every operation, offline.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext } from "playwright-core";
import { generateDevKeyPair } from "../../lib/auth/dev-keys.ts";
import { launchChromium } from "../../lib/testing/chromium.ts";
import { type ServiceProcess, startService } from "../../lib/testing/service-process.ts";
import { stubServer } from "../../services/gateway/testing/harness.ts";

describe("/docs in headless Chromium, served by the compiled gateway", () => {
  let dir: string;
  let upstream: ReturnType<typeof stubServer>;
  let gateway: ServiceProcess;
  let context: BrowserContext;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "docs-page-"));
    // The executable, run from an empty folder: the renderer can only come from inside it (no node_modules, no CDN).
    const build = Bun.spawnSync(
      [process.execPath, "build", "--compile", "--minify", "--bytecode", "--format=esm", "services/gateway/main.ts", "--outfile", join(dir, "gateway")],
      { stderr: "pipe" },
    );
    if (build.exitCode !== 0) throw new Error(`build failed: ${build.stderr.toString()}`);
    upstream = stubServer();
    const internal = await generateDevKeyPair("docs-internal-1");
    gateway = await startService(
      [join(dir, "gateway")],
      {
        DEV_ISSUER: "true",
        DATA_DIR: dir,
        ORDERS_URL: upstream.url,
        NOTIFICATIONS_URL: upstream.url,
        INTERNAL_AUTH_PRIVATE_JWK: JSON.stringify(internal.privateJwk),
        DRAIN_DELAY_MS: "0",
        LOG_LEVEL: "warn",
      },
      { cwd: dir },
    );
    context = await launchChromium(join(dir, "chromium-profile"));
  }, 180_000);
  afterAll(async () => {
    await context?.close();
    await gateway?.stop("SIGKILL");
    upstream?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test("the page renders every operation of the merged contract, and every request it makes goes to 127.0.0.1", async () => {
    const requests: string[] = [];
    context.on("request", (r) => requests.push(r.url()));
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    page.on("pageerror", (e) => errors.push(e.message));
    // CSP refusals never reach the network: the page reports them as events, collected here.
    await page.addInitScript(() => {
      const seen: string[] = [];
      (globalThis as unknown as { cspViolations: string[] }).cspViolations = seen;
      document.addEventListener("securitypolicyviolation", (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
    });

    const res = await page.goto(`${gateway.url}/docs`, { waitUntil: "networkidle" });
    expect(res?.status()).toBe(200);
    expect(res?.headers()["content-security-policy"]).toContain("script-src 'self'");

    const contract = await (await fetch(`${gateway.url}/openapi.json`)).json();
    const summaries: string[] = [];
    for (const item of Object.values(contract.paths as Record<string, Record<string, { summary?: string }>>))
      for (const op of Object.values(item)) if (op.summary) summaries.push(op.summary);
    expect(summaries.length).toBeGreaterThanOrEqual(12); // probes, orders, notifications and dead letters

    await page
      .getByText(summaries[0] as string)
      .first()
      .waitFor({ timeout: 30_000 });
    // biome-ignore lint/performance/useDomNodeTextContent: what is rendered is the point; operations in collapsed sections must not count
    const text = await page.locator("body").innerText();
    expect(summaries.filter((s) => !text.includes(s))).toEqual([]);
    expect(text).toContain(contract.info.title);

    const offMachine = requests.filter((u) => !u.startsWith(`${gateway.url}/`) && !u.startsWith("data:"));
    expect(offMachine).toEqual([]);
    expect(requests).toContain(`${gateway.url}/openapi.json`);
    expect(requests.some((u) => u.startsWith(`${gateway.url}/docs/api-reference.js?v=`))).toBe(true);
    // The CSP refused nothing the page tried to load. The one refusal allowed is zod's probe for eval inside the bundle
    // (`try { Function("") } catch`): without eval zod validates without compiling, and the page works as shown above.
    const violations = await page.evaluate(() => (globalThis as unknown as { cspViolations: string[] }).cspViolations);
    expect(violations.filter((v) => v !== "script-src eval")).toEqual([]);
    expect(errors).toEqual([]);
    console.log(`docs page: ${summaries.length} operations shown, ${requests.length} requests, all to ${gateway.url}`);
  }, 90_000);
});
