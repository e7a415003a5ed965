/** Axis ticks for charts: evenly spaced round values, time ticks that never repeat a label, labels that fit. */

const STEPS = [1, 2, 2.5, 5, 10];

/** 0 up to at least `max` in evenly spaced round steps (0, 2, 4, 6 %), about `target` intervals. */
export function niceTicks(max: number, opts: { target?: number; integer?: boolean; min?: number } = {}): number[] {
  const target = opts.target ?? 4;
  const top = Math.max(Number.isFinite(max) ? max : 0, opts.min ?? 0, opts.integer ? 1 : Number.MIN_VALUE);
  const raw = top / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  let step = STEPS.map((s) => s * mag).find((s) => s >= raw * (1 - 1e-9))!;
  if (opts.integer) step = Math.max(1, Math.ceil(step));
  const n = Math.max(1, Math.ceil(top / step - 1e-9));
  return Array.from({ length: n + 1 }, (_, i) => Number((i * step).toPrecision(12)));
}

const MINUTE = 60_000;
const TIME_STEPS = [MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE, 60 * MINUTE, 2 * 60 * MINUTE, 4 * 60 * MINUTE, 6 * 60 * MINUTE, 12 * 60 * MINUTE, 24 * 60 * MINUTE];

/** Ticks at whole minutes or hours across [from, to], at most about `max` of them. */
export function timeTicks(from: number, to: number, max = 6): { ticks: number[]; stepMs: number } {
  const span = Math.max(to - from, MINUTE);
  const stepMs = TIME_STEPS.find((s) => span / s <= max) ?? TIME_STEPS[TIME_STEPS.length - 1]!;
  const ticks: number[] = [];
  for (let t = Math.ceil(from / stepMs) * stepMs; t <= to; t += stepMs) ticks.push(t);
  return { ticks, stepMs };
}

/** "14:05" for steps within a day, "5 Dec" for whole days: no two ticks read the same. */
export function formatTimeTick(t: number, stepMs: number): string {
  const d = new Date(t);
  if (stepMs >= 24 * 60 * MINUTE) return d.toLocaleDateString("en-GB", { day: "numeric", month: "short" });
  return d.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
}

/** Axis milliseconds that fit the axis: "850 ms", "1.2 s", "12 s". */
export function formatAxisMs(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return "";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  return `${Number(s.toFixed(s < 10 ? 1 : 0))} s`;
}

/** A category label cut to `max` characters with an ellipsis, so a long name does not run into the bars. */
export function truncateLabel(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1).trimEnd()}…` : text;
}
