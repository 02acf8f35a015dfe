import {
  Counter,
  Gauge,
  Histogram,
  type LabelValues,
  type Registry,
  type RegistryContentType,
} from 'prom-client';
import type { BucketCounts } from './bucket-counts.js';

/** Any prom-client registry, Prometheus or OpenMetrics text. */
export type AnyRegistry = Registry<RegistryContentType>;

/** Calls `emit` once per series, at scrape time. */
export type Reader<TLabel extends string, TValue> = (
  emit: (labels: Record<TLabel, string>, value: TValue) => void,
) => void;

interface Family<TLabel extends string> {
  name: string;
  help: string;
  labelNames: readonly TLabel[];
}

/*
 * The metrics below are prom-client metrics whose values are read at scrape
 * time from state the subscribers keep (see SeriesTable), instead of being
 * updated on every event: a prom-client `inc`/`observe` with labels costs
 * ~0.5 µs (label validation and hashing), a Map hit ~30 ns. prom-client
 * still owns naming, registration and the exposition format.
 */

/** A counter whose series are rebuilt from `read` at each scrape. Emitting the same labels twice adds. */
export function collectedCounter<TLabel extends string>(
  registry: AnyRegistry,
  family: Family<TLabel>,
  read: Reader<TLabel, number>,
): Counter<TLabel> {
  return new Counter<TLabel>({
    ...family,
    registers: [registry],
    collect() {
      this.reset();
      read((labels, value) => this.inc(labels as LabelValues<TLabel>, value));
    },
  });
}

/** A gauge whose series are rebuilt from `read` at each scrape. Emitting the same labels twice adds. */
export function collectedGauge<TLabel extends string>(
  registry: AnyRegistry,
  family: Family<TLabel>,
  read: Reader<TLabel, number>,
): Gauge<TLabel> {
  return new Gauge<TLabel>({
    ...family,
    registers: [registry],
    collect() {
      this.reset();
      read((labels, value) => this.inc(labels as LabelValues<TLabel>, value));
    },
  });
}

type Sample = { labels: Record<string, string | number>; value: number; metricName: string };

/**
 * A prom-client histogram whose series come from BucketCounts read at scrape
 * time. prom-client has no API to set bucket counts, so this overrides the
 * two methods its Registry reads (`get`, and `getForPromString` for the text
 * format). The series are fed only by the subscribers; `observe()` on this
 * object has no effect on the exposition.
 */
export class CollectedHistogram<TLabel extends string> extends Histogram<TLabel> {
  readonly #read: Reader<TLabel, BucketCounts>;

  constructor(
    registry: AnyRegistry,
    family: Family<TLabel> & { buckets: readonly number[] },
    read: Reader<TLabel, BucketCounts>,
  ) {
    super({ ...family, buckets: [...family.buckets], registers: [registry] });
    this.#read = read;
  }

  override async get(): ReturnType<Histogram<TLabel>['get']> {
    const values: Sample[] = [];
    const bucket = `${this.name}_bucket`;
    this.#read((labels, series) => {
      let cumulative = 0;
      for (let i = 0; i < series.bounds.length; i++) {
        cumulative += series.counts[i]!;
        values.push({ labels: { ...labels, le: series.bounds[i]! }, value: cumulative, metricName: bucket });
      }
      values.push({ labels: { ...labels, le: '+Inf' }, value: series.count, metricName: bucket });
      values.push({ labels: { ...labels }, value: series.sum, metricName: `${this.name}_sum` });
      values.push({ labels: { ...labels }, value: series.count, metricName: `${this.name}_count` });
    });
    // prom-client's typings declare `type` as a numeric enum, but its
    // Registry (and its own Histogram) use the string 'histogram'.
    return {
      name: this.name,
      help: this.help,
      type: 'histogram',
      aggregator: this.aggregator,
      values,
    } as unknown as Awaited<ReturnType<Histogram<TLabel>['get']>>;
  }

  /** What prom-client's Registry formats the text exposition from, when a metric has it. */
  getForPromString(): ReturnType<Histogram<TLabel>['get']> {
    return this.get();
  }

  declare readonly name: string;
  declare readonly help: string;
  declare readonly aggregator: 'sum';
}
