/** Prometheus text exposition format 0.0.4: escaping and sample lines. */

export const CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** Label values escape backslash, double quote and line feed; nothing else. */
export const escapeLabelValue = (v: string): string => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

/** HELP text escapes backslash and line feed (quotes stay as they are). */
export const escapeHelp = (v: string): string => v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");

export function formatValue(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (n === Infinity) return "+Inf";
  if (n === -Infinity) return "-Inf";
  return String(n);
}

export type LabelPairs = ReadonlyArray<readonly [string, string]>;

export function labelString(labels: LabelPairs): string {
  return labels.length === 0 ? "" : `{${labels.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(",")}}`;
}

export const sampleLine = (name: string, labels: LabelPairs, value: number): string => `${name}${labelString(labels)} ${formatValue(value)}\n`;

export const familyHeader = (name: string, type: "counter" | "gauge" | "histogram", help: string): string =>
  `# HELP ${name} ${escapeHelp(help)}\n# TYPE ${name} ${type}\n`;
