/**
 * The state of one histogram series: a count per bucket, the sum and the
 * count. Recording is a short scan and two additions, cheap enough for every
 * request; prom-client reads it only at scrape time (see collectedHistogram).
 */
export class BucketCounts {
  /** Upper bounds, ascending. */
  readonly bounds: readonly number[];
  /** The same bounds unboxed: the scan below runs on every request. */
  readonly #bounds: Float64Array;
  /** Non-cumulative: `counts[i]` holds observations in `(bounds[i-1], bounds[i]]`; the last slot is `+Inf`. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(bounds: readonly number[]) {
    this.bounds = bounds;
    this.#bounds = Float64Array.from(bounds);
    this.counts = new Float64Array(bounds.length + 1);
  }

  /** Records one value. Negative values count as 0; NaN and infinities are ignored. */
  observe(value: number): void {
    if (!Number.isFinite(value)) return;
    const v = Math.max(value, 0);
    const bounds = this.#bounds;
    let i = 0;
    while (i < bounds.length && v > bounds[i]!) i++;
    this.counts[i]!++;
    this.sum += v;
    this.count++;
  }
}
