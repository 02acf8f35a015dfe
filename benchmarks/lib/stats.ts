/**
 * The median of `values` (mean of the middle two for an even count), or NaN
 * when empty. Used to pool repeated measurements: one round disturbed by other
 * load on the machine moves a mean, not a median.
 *
 * @example
 * median([3, 1, 2]); // 2
 */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
