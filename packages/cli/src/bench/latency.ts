import * as hdr from 'hdr-histogram-js';

/** Latency percentiles reported by `courier bench`, in milliseconds. */
export interface LatencySummary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

/** Bucket of the coarse distribution printed under the percentiles. */
export interface LatencyBucket {
  /** Upper bound of the bucket, ms. */
  le: number;
  count: number;
}

const BUCKET_GROWTH = 1.5;

/**
 * Records latencies in microseconds: an HDR histogram (3 significant digits)
 * for percentiles, plus a coarse log-spaced count for the printed distribution.
 */
export class LatencyRecorder {
  readonly #hist = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000_000,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  });
  readonly #buckets = new Map<number, number>();

  /** Records one latency in milliseconds. */
  record(ms: number): void {
    const us = Math.max(1, Math.round(ms * 1000));
    this.#hist.recordValue(us);
    const bucket = Math.ceil(Math.log(Math.max(ms, 0.001) / 0.001) / Math.log(BUCKET_GROWTH));
    this.#buckets.set(bucket, (this.#buckets.get(bucket) ?? 0) + 1);
  }

  get count(): number {
    return this.#hist.totalCount;
  }

  summary(): LatencySummary {
    const h = this.#hist;
    const at = (p: number) => (h.totalCount === 0 ? 0 : h.getValueAtPercentile(p) / 1000);
    return {
      count: h.totalCount,
      min: h.totalCount === 0 ? 0 : h.minNonZeroValue / 1000,
      mean: h.totalCount === 0 ? 0 : h.mean / 1000,
      p50: at(50),
      p90: at(90),
      p99: at(99),
      p999: at(99.9),
      max: h.totalCount === 0 ? 0 : h.maxValue / 1000,
    };
  }

  /** The coarse distribution, ascending, log-spaced (x1.5 per bucket). */
  buckets(): LatencyBucket[] {
    return [...this.#buckets.entries()]
      .sort(([a], [b]) => a - b)
      .map(([bucket, count]) => ({ le: 0.001 * BUCKET_GROWTH ** bucket, count }));
  }
}
