// Debian's Chromium, headless, driven by playwright-core: the browser the end-to-end tests load pages in.
import { existsSync } from "node:fs";
import { type BrowserContext, chromium } from "playwright-core";

const CHROMIUM = process.env.CHROMIUM_BIN ?? "/usr/bin/chromium";

/** A fresh persistent context in `profileDir`. Throws when Chromium is missing, rather than letting a test skip. */
export async function launchChromium(profileDir: string): Promise<BrowserContext> {
  // scripts/ci/ensure-chromium.sh (run by scripts/prepare-tests.sh) installs it.
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run scripts/ci/ensure-chromium.sh`);
  return chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    // Offline and quiet: no QUIC, no background requests, no updates or sync, so every request a page makes is its own.
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
