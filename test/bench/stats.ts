// Percentiles over bounded sample arrays; the benchmark caps how many samples a run can hold.

/** Nearest-rank percentile of ascending-sorted values, or null when there are none. */
export function percentile(sorted: ArrayLike<number>, p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** A fixed-capacity sample buffer: samples beyond the capacity are counted but not kept. */
export class Samples {
  private readonly values: Float64Array;
  private size = 0;
  dropped = 0;

  constructor(capacity: number) {
    this.values = new Float64Array(capacity);
  }

  add(value: number): void {
    if (this.size < this.values.length) this.values[this.size++] = value;
    else this.dropped++;
  }

  get count(): number {
    return this.size;
  }

  sorted(): Float64Array {
    return this.values.slice(0, this.size).sort();
  }
}

/** Milliseconds rounded to 0.01 ms, null kept. */
export function ms(value: number | null): number | null {
  return value === null ? null : Math.round(value * 100) / 100;
}
