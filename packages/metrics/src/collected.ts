import { Counter, Gauge, type LabelValues, type Registry, type RegistryContentType } from 'prom-client';
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
 * A histogram whose series come from BucketCounts read at scrape time.
 * prom-client's Histogram has no API to set bucket counts, so this is a
 * collector of its own, registered with the public `registry.registerMetric`:
 * the Registry formats any registered metric from what its `get()` returns
 * (name, help, type, values), in both the Prometheus and OpenMetrics formats,
 * and `resetMetrics()` calls its `reset()`.
 */
export function collectedHistogram<TLabel extends string>(
  registry: AnyRegistry,
  family: Family<TLabel> & { buckets: readonly number[] },
  read: Reader<TLabel, BucketCounts>,
): void {
  const { name, help, labelNames } = family;
  const collector = {
    name,
    help,
    type: 'histogram' as const,
    labelNames,
    aggregator: 'sum' as const,
    async get() {
      const values: Sample[] = [];
      const bucket = `${name}_bucket`;
      read((labels, series) => {
        let cumulative = 0;
        for (let i = 0; i < series.bounds.length; i++) {
          cumulative += series.counts[i]!;
          values.push({
            labels: { ...labels, le: series.bounds[i]! },
            value: cumulative,
            metricName: bucket,
          });
        }
        values.push({ labels: { ...labels, le: '+Inf' }, value: series.count, metricName: bucket });
        values.push({ labels: { ...labels }, value: series.sum, metricName: `${name}_sum` });
        values.push({ labels: { ...labels }, value: series.count, metricName: `${name}_count` });
      });
      return { name, help, type: 'histogram', aggregator: 'sum', values };
    },
    // The series are the subscribers' state, not this collector's: nothing to reset.
    reset() {},
  };
  // prom-client types registerMetric's argument as its own metric classes;
  // at run time the Registry uses only the members above.
  registry.registerMetric(collector as unknown as Parameters<AnyRegistry['registerMetric']>[0]);
}
