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
