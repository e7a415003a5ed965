/**
 * In-memory counter and histogram families. Series are kept under the raw label values (a team's
 * id) and relabelled when rendered (to its current name); series that render alike are added up,
 * so the output never holds the same series twice.
 */
import { familyHeader, sampleLine, type LabelPairs } from "./exposition";

export type Relabel = (label: string, value: string) => string;

const SEP = "\u0000";

function relabelled(names: readonly string[], values: readonly string[], relabel: Relabel): Array<[string, string]> {
  return names.map((n, i) => [n, relabel(n, values[i]!)]);
}

export class CounterFamily {
  private readonly series = new Map<string, { values: string[]; total: number }>();

  /** `scale` turns the stored integer (e.g. micro-USD) into the exposed unit only at render time. */
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
    private readonly scale = 1,
  ) {}

  inc(values: string[], by = 1): void {
    const key = values.join(SEP);
    const s = this.series.get(key);
    if (s) s.total += by;
    else this.series.set(key, { values, total: by });
  }

  render(relabel: Relabel): string {
    const merged = new Map<string, { labels: LabelPairs; total: number }>();
    for (const s of this.series.values()) {
      const labels = relabelled(this.labelNames, s.values, relabel);
      const key = labels.map(([, v]) => v).join(SEP);
      const m = merged.get(key);
      if (m) m.total += s.total;
      else merged.set(key, { labels, total: s.total });
    }
    let out = familyHeader(this.name, "counter", this.help);
    for (const m of merged.values()) out += sampleLine(this.name, m.labels, m.total * this.scale);
    return out;
  }
}

interface HistogramSeries {
  values: string[];
  /** Per bucket, not cumulative; the last slot is +Inf. */
  counts: number[];
  sum: number;
}

export class HistogramFamily {
  private readonly series = new Map<string, HistogramSeries>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
    /** Upper bounds, ascending; +Inf is implied. */
    readonly buckets: readonly number[],
  ) {}

  observe(values: string[], v: number): void {
    const key = values.join(SEP);
    let s = this.series.get(key);
    if (!s) this.series.set(key, (s = { values, counts: new Array(this.buckets.length + 1).fill(0), sum: 0 }));
    let i = this.buckets.findIndex((b) => v <= b);
    if (i < 0) i = this.buckets.length;
    s.counts[i]!++;
    s.sum += v;
  }

  render(relabel: Relabel): string {
    const merged = new Map<string, { labels: LabelPairs; counts: number[]; sum: number }>();
    for (const s of this.series.values()) {
      const labels = relabelled(this.labelNames, s.values, relabel);
      const key = labels.map(([, v]) => v).join(SEP);
      const m = merged.get(key);
      if (m) {
        s.counts.forEach((c, i) => (m.counts[i]! += c));
        m.sum += s.sum;
      } else merged.set(key, { labels, counts: [...s.counts], sum: s.sum });
    }
    let out = familyHeader(this.name, "histogram", this.help);
    for (const m of merged.values()) {
      let cumulative = 0;
      this.buckets.forEach((le, i) => {
        cumulative += m.counts[i]!;
        out += sampleLine(`${this.name}_bucket`, [...m.labels, ["le", String(le)]], cumulative);
      });
      cumulative += m.counts[this.buckets.length]!;
      out += sampleLine(`${this.name}_bucket`, [...m.labels, ["le", "+Inf"]], cumulative);
      out += sampleLine(`${this.name}_sum`, m.labels, m.sum);
      out += sampleLine(`${this.name}_count`, m.labels, cumulative);
    }
    return out;
  }
}
