/** USD amounts for people: cents for ordinary sums, more digits only for fractions of a cent. */

export function formatUsd(usd: number | null | undefined): string {
  if (usd === null || usd === undefined || !Number.isFinite(usd)) return "—";
  const abs = Math.abs(usd);
  if (abs > 0 && abs < 0.01) return `${usd < 0 ? "-" : ""}$${abs.toPrecision(2).replace(/0+$/, "")}`;
  return `${usd < 0 ? "-" : ""}$${abs.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/** Share of a cap in percent, or null without a cap. */
export function shareOfCap(spent: number, cap: number | null): number | null {
  if (cap === null) return null;
  if (cap === 0) return spent > 0 ? Number.POSITIVE_INFINITY : 100;
  return (spent / cap) * 100;
}

/** Chart axis ticks: three significant digits, so $0.0135 is not shown as $0.01. */
export function formatUsdTick(usd: number): string {
  if (usd === 0) return "$0";
  return `$${Number(usd.toPrecision(3)).toLocaleString("en-US", { maximumFractionDigits: 6 })}`;
}
