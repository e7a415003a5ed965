/**
 * The statistics behind rollout decisions. Pure and small, so each rule can be checked by hand.
 */

/** z for a one-sided 95 % bound is 1.645; the absolute guard uses the usual two-sided 1.96. */
export const Z_95 = 1.96;

/** Wilson score lower bound of a binomial proportion: stays sane at small n and 0 or n successes. */
export function wilsonLowerBound(successes: number, n: number, z = Z_95): number {
  if (n <= 0) return 0;
  const p = successes / n;
  const z2 = z * z;
  const center = p + z2 / (2 * n);
  const margin = z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return Math.max(0, (center - margin) / (1 + z2 / n));
}

/**
 * Nearest-rank percentile (p in (0, 100]) of unsorted samples; null when there are none. Selects
 * the rank in linear time on a typed copy instead of sorting: a busy stage holds millions of samples.
 */
export function percentile(samples: readonly number[], p: number): number | null {
  const n = samples.length;
  if (n === 0) return null;
  const rank = Math.min(n, Math.max(1, Math.ceil((p / 100) * n)));
  return select(Float64Array.from(samples), rank - 1);
}

/** The k-th smallest value (0-based), by Hoare's selection with a middle pivot; reorders `a`. */
function select(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >>> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}

/**
 * Radius of a time-uniform confidence sequence for the mean of values in [0, 1] (sub-Gaussian with
 * σ = 1/2), from Robbins' normal mixture: with probability ≥ 1 − α, |mean_n − μ| ≤ radius(n) holds
 * at every n at once. That is what lets the evaluator look every interval without the repeated
 * significance testing that a fixed-n p-value would suffer. ρ tunes where the bound is tightest;
 * it is set for `tuneN` observations.
 */
export function confidenceSequenceRadius(n: number, alpha: number, tuneN = 500): number {
  if (n <= 0) return Infinity;
  const sigma2 = 0.25;
  const l = Math.log(1 / alpha);
  const rho = (2 * l + Math.log(1 + 2 * l)) / tuneN;
  return Math.sqrt(((2 * sigma2 * (n * rho + 1)) / (n * n * rho)) * Math.log(Math.sqrt(n * rho + 1) / alpha));
}

/**
 * Anytime-valid lower bound on (candidate error rate − control error rate): each arm gets a
 * confidence sequence at α/2, so the difference bound holds with probability ≥ 1 − α uniformly
 * over time.
 */
export function errorRateDifferenceLowerBound(
  candidate: { errors: number; n: number },
  control: { errors: number; n: number },
  alpha = 0.05,
): number {
  if (candidate.n === 0 || control.n === 0) return -Infinity;
  const pc = candidate.errors / candidate.n;
  const p0 = control.errors / control.n;
  return pc - confidenceSequenceRadius(candidate.n, alpha / 2) - (p0 + confidenceSequenceRadius(control.n, alpha / 2));
}
