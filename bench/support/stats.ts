/** The p-th percentile (0–100) of a list of numbers, nearest-rank; NaN for an empty list. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

/** Formats milliseconds for a report line. */
export function ms(value: number): string {
  return Number.isNaN(value) ? 'n/a' : `${value.toFixed(value < 10 ? 1 : 0)} ms`;
}

/** Resident memory of this process in MiB. */
export function rssMiB(): number {
  return Math.round(process.memoryUsage().rss / 1024 / 1024);
}
