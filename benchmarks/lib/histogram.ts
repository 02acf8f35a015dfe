/**
 * A log-bucketed latency histogram: fixed memory, O(1) record, mergeable, and
 * serialisable so a child process can send it to its parent.
 *
 * Bucket `i` covers values in `[MIN * GROWTH^i, MIN * GROWTH^(i+1))`, so any
 * percentile is reported within ±1% of the true sample (the bucket's
 * geometric midpoint is returned). Values are in microseconds by convention;
 * the histogram itself is unit-agnostic.
 *
 * @example
 * const h = new Histogram();
 * h.record(42.5);
 * h.percentile(50); // ≈ 42.5
 */
export class Histogram {
  /** Smallest distinguishable value; smaller samples land in bucket 0. */
  static readonly MIN = 0.1;
  /** Ratio between consecutive bucket bounds (2% wide, so ±1% error). */
  static readonly GROWTH = 1.02;
  /** Enough buckets to reach MIN * GROWTH^BUCKETS ≈ 2.7e8 (about 4.5 minutes in µs). */
  static readonly BUCKETS = 1100;

  readonly #counts = new Float64Array(Histogram.BUCKETS);
  #count = 0;
  #sum = 0;
  #min = Number.POSITIVE_INFINITY;
  #max = 0;

  /** Number of recorded samples. */
  get count(): number {
    return this.#count;
  }

  /** Exact mean of the recorded samples, or NaN when empty. */
  get mean(): number {
    return this.#count === 0 ? Number.NaN : this.#sum / this.#count;
  }

  /** Exact smallest sample, or NaN when empty. */
  get min(): number {
    return this.#count === 0 ? Number.NaN : this.#min;
  }

  /** Exact largest sample, or NaN when empty. */
  get max(): number {
    return this.#count === 0 ? Number.NaN : this.#max;
  }

  /** Records one sample. Negative or NaN samples are clamped to 0. */
  record(value: number): void {
    const v = Math.max(value || 0, 0);
    this.#counts[bucketOf(v)]!++;
    this.#count++;
    this.#sum += v;
    if (v < this.#min) this.#min = v;
    if (v > this.#max) this.#max = v;
  }

  /**
   * The value below which `p` percent of samples fall (nearest-rank), or NaN
   * when empty. `p` is clamped to [0, 100]; 0 and 100 return the exact min/max.
   */
  percentile(p: number): number {
    if (this.#count === 0) return Number.NaN;
    if (p <= 0) return this.#min;
    if (p >= 100) return this.#max;
    const rank = Math.ceil((p / 100) * this.#count);
    let seen = 0;
    for (let i = 0; i < Histogram.BUCKETS; i++) {
      seen += this.#counts[i]!;
      if (seen >= rank) {
        // The bucket midpoint can lie outside the observed range at the edges.
        return Math.min(this.#max, Math.max(this.#min, midpointOf(i)));
      }
    }
    return this.#max;
  }

  /** Adds every sample of `other` to this histogram. */
  merge(other: Histogram): this {
    const counts = other.#counts;
    for (let i = 0; i < Histogram.BUCKETS; i++) this.#counts[i]! += counts[i]!;
    this.#count += other.#count;
    this.#sum += other.#sum;
    if (other.#min < this.#min) this.#min = other.#min;
    if (other.#max > this.#max) this.#max = other.#max;
    return this;
  }

  /** A compact, JSON-safe snapshot (only non-empty buckets). */
  toJSON(): HistogramSnapshot {
    const buckets: [index: number, count: number][] = [];
    for (let i = 0; i < Histogram.BUCKETS; i++) {
      const c = this.#counts[i]!;
      if (c > 0) buckets.push([i, c]);
    }
    return { count: this.#count, sum: this.#sum, min: this.#min, max: this.#max, buckets };
  }

  /** Rebuilds a histogram from `toJSON()` output. */
  static fromJSON(snapshot: HistogramSnapshot): Histogram {
    const h = new Histogram();
    for (const [i, c] of snapshot.buckets) {
      if (i >= 0 && i < Histogram.BUCKETS) h.#counts[i] = c;
    }
    h.#count = snapshot.count;
    h.#sum = snapshot.sum;
    h.#min = snapshot.count === 0 ? Number.POSITIVE_INFINITY : snapshot.min;
    h.#max = snapshot.max;
    return h;
  }
}

/** What `Histogram.toJSON()` returns. */
export interface HistogramSnapshot {
  count: number;
  sum: number;
  min: number;
  max: number;
  buckets: [index: number, count: number][];
}

const LOG_GROWTH = Math.log(Histogram.GROWTH);

function bucketOf(v: number): number {
  if (v < Histogram.MIN) return 0;
  const i = Math.floor(Math.log(v / Histogram.MIN) / LOG_GROWTH);
  return i < Histogram.BUCKETS ? i : Histogram.BUCKETS - 1;
}

function midpointOf(i: number): number {
  return Histogram.MIN * Histogram.GROWTH ** (i + 0.5);
}
