// Small statistics used by the harness and the report.

/** The median of a non-empty list (the mean of the middle two for an even count). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Median absolute deviation relative to the median (a robust spread, 0.02 = 2 %). */
export function relativeMad(xs: readonly number[]): number {
  const m = median(xs);
  return median(xs.map((x) => Math.abs(x - m))) / m;
}

/** A median with a distribution-free confidence interval: the order statistics around it. */
export interface Interval {
  lo: number;
  median: number;
  hi: number;
}

/**
 * The median of `xs` and a ~95 % confidence interval for it that assumes nothing about the
 * distribution: the j-th and k-th smallest samples, j and k from the binomial(n, 1/2)
 * quantiles (normal approximation). With 21 samples that is the 6th to the 16th; with fewer
 * than 6 samples the interval is the whole range.
 */
export function medianInterval(xs: readonly number[]): Interval {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return { lo: NaN, median: NaN, hi: NaN };
  const half = (1.96 * Math.sqrt(n)) / 2;
  const j = Math.max(1, Math.floor(n / 2 - half)); // 1-based ranks
  const k = Math.min(n, Math.ceil(n / 2 + half) + 1);
  return { lo: s[j - 1], median: median(s), hi: s[k - 1] };
}

/** A ratio's verdict against a "≤ target" goal: met or missed only when the interval says so. */
export type Verdict = 'met' | 'missed' | 'within noise';
export function verdict(ci: Interval, target: number): Verdict {
  if (ci.hi <= target) return 'met';
  if (ci.lo > target) return 'missed';
  return 'within noise';
}
