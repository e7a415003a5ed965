/**
 * Nearest-rank percentiles: the smallest sample with at least ⌈p·n⌉ samples at or below it, so
 * every answer is a latency that really happened.
 */

export function percentile(sorted: ArrayLike<number>, p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(1, Math.ceil(p * sorted.length)) - 1]!;
}

/** Samples ≤ x in one sorted array. */
function countAtMost(sorted: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The percentile of the union of several sorted arrays without merging them: a binary search
 * over the (integer) values, counting with a binary search in each part. Totals use it, so the
 * whole range costs nothing beyond the per-group samples already sorted.
 */
export function mergedPercentile(parts: readonly ArrayLike<number>[], p: number): number | null {
  const nonEmpty = parts.filter((a) => a.length > 0);
  const n = nonEmpty.reduce((s, a) => s + a.length, 0);
  if (n === 0) return null;
  const rank = Math.max(1, Math.ceil(p * n));
  let lo = Math.min(...nonEmpty.map((a) => a[0]!));
  let hi = Math.max(...nonEmpty.map((a) => a[a.length - 1]!));
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    let count = 0;
    for (const a of nonEmpty) count += countAtMost(a, mid);
    if (count >= rank) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
