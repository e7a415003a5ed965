/** Display formatting shared by the settings pages. */

/** 0.05 → "5 %", 0.1234 → "12.3 %". */
export function formatFraction(f: number | null | undefined, digits = 1): string {
  if (f === null || f === undefined || !Number.isFinite(f)) return "—";
  return `${trimZeros((f * 100).toFixed(digits))} %`;
}

/** A weight already in percent: 5 → "5 %". */
export function formatPercent(p: number): string {
  return `${trimZeros(p.toFixed(2))} %`;
}

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "—";
  return ms >= 10_000 ? `${trimZeros((ms / 1000).toFixed(1))} s` : `${Math.round(ms)} ms`;
}

/** 3472 → "3 s", 302_000 → "5 min 2 s", 7_500_000 → "2 h 5 min". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "—";
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ""}`;
  const m = Math.floor(s / 60);
  if (m < 1440) return `${Math.floor(m / 60)} h${m % 60 ? ` ${m % 60} min` : ""}`;
  return `${Math.floor(m / 1440)} d${Math.floor(m / 60) % 24 ? ` ${Math.floor(m / 60) % 24} h` : ""}`;
}

export function formatCount(n: number | null | undefined): string {
  return n === null || n === undefined ? "—" : n.toLocaleString("en-US");
}

export function formatRatio(r: number | null | undefined): string {
  return r === null || r === undefined || !Number.isFinite(r) ? "—" : `${r.toFixed(2)}×`;
}

export function formatMicrosUsd(micros: number | null | undefined): string {
  if (micros === null || micros === undefined) return "—";
  return `$${(micros / 1_000_000).toFixed(6).replace(/0{1,3}$/, "")}`;
}

/** Accepts ISO strings and epoch milliseconds (decisions store the latter). */
export function toDate(t: string | number): Date {
  return new Date(t);
}

export function formatDateTime(t: string | number): string {
  return toDate(t).toLocaleString("en-GB", { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

export function formatClock(t: string | number): string {
  return toDate(t).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
}

function trimZeros(s: string): string {
  return s.includes(".") ? s.replace(/\.?0+$/, "") : s;
}
