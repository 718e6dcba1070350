// Percentiles and the bench's number formats.

/** The nearest-rank percentile: the smallest sample with at least p% of the samples at or below it. */
export function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

const grouped = (digits: number) => new Intl.NumberFormat("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** 1,234 / 12.3 / 0.42: fewer decimals as numbers grow; "-" for no figure. */
export function num(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return "-";
  const size = Math.abs(value);
  return grouped(size >= 100 ? 0 : size >= 10 ? 1 : 2).format(value);
}

export const int = (value: number | undefined) => (value === undefined || !Number.isFinite(value) ? "-" : grouped(0).format(value));

/** Greenlight's figure over its baseline's, e.g. "×0.24"; "-" when either is missing. */
export function ratio(greenlight: number | undefined, baseline: number | undefined): string {
  if (greenlight === undefined || baseline === undefined || !Number.isFinite(greenlight) || !Number.isFinite(baseline) || baseline === 0)
    return "-";
  return `×${num(greenlight / baseline)}`;
}

export const seconds = (ms: number) => `${num(ms / 1000)} s`;
