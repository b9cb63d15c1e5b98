// Test helpers for Prometheus exposition text: the sample lines, and one series' value.

/** Sample lines (one per series, or per bucket of a histogram series). */
export const seriesOf = (text: string): string[] => text.split("\n").filter((l) => l !== "" && !l.startsWith("#"));

/** The value of the series written exactly as `series` (name plus label pairs); NaN when it is absent. */
export const sampleValue = (text: string, series: string): number =>
  Number(
    text
      .split("\n")
      .find((l) => l.startsWith(`${series} `))
      ?.split(" ")[1],
  );

/**
 * Scrapes `scrape()` until `done(text)` holds or `ms` pass, and returns the last text: sampled gauges and counters
 * moved by background work settle a little after the request that caused them; the caller's assertions say what is off.
 */
export async function scrapeUntil(scrape: () => Promise<string>, done: (text: string) => boolean, ms: number, everyMs = 50): Promise<string> {
  const end = Date.now() + ms;
  let text = "";
  do {
    await Bun.sleep(everyMs);
    text = await scrape();
  } while (!done(text) && Date.now() < end);
  return text;
}
