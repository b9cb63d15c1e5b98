// Order totals in integer cents, computed exactly; a total past the JSON-safe range is rejected, never rounded.
import { AppError } from "../../../lib/http/app-error.ts";

export interface PricedLine {
  quantity: number;
  unitPriceCents: number;
}

const MAX = BigInt(Number.MAX_SAFE_INTEGER);

/** Line totals and the order total; throws amount_overflow (422) when any of them passes 2^53-1. */
export function totals(lines: readonly PricedLine[]): { lineTotals: number[]; totalCents: number } {
  let total = 0n;
  const lineTotals: number[] = [];
  for (const [i, l] of lines.entries()) {
    const line = BigInt(l.quantity) * BigInt(l.unitPriceCents);
    total += line;
    if (line > MAX || total > MAX) {
      throw new AppError("amount_overflow", {
        detail: `The order total exceeds ${Number.MAX_SAFE_INTEGER} minor units.`,
        errors: [{ path: `body.items.${i}`, message: "line pushes the total past the supported maximum" }],
      });
    }
    lineTotals.push(Number(line));
  }
  return { lineTotals, totalCents: Number(total) };
}
