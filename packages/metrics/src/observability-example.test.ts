import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MetricNames } from './names.js';

/** examples/observability must use exactly the metric names this package registers. */

const dir = new URL('../../../examples/observability/', import.meta.url);
const read = (file: string) => readFileSync(new URL(file, dir), 'utf8');

const Dashboard = z.object({
  title: z.string(),
  uid: z.string(),
  panels: z.array(
    z.object({
      type: z.string(),
      title: z.string(),
      targets: z.array(z.object({ expr: z.string(), refId: z.string() })).optional(),
    }),
  ),
});

const HISTOGRAMS = new Set<string>([
  MetricNames.serverRequestDuration,
  MetricNames.clientCallDuration,
  MetricNames.poolTaskDuration,
]);
const KNOWN = new Set<string>(Object.values(MetricNames));

/** A `courier_*` name in a query is a metric, or a histogram's _bucket/_sum/_count series. */
function isKnown(name: string): boolean {
  if (KNOWN.has(name)) return true;
  const base = name.replace(/_(bucket|sum|count)$/, '');
  return base !== name && HISTOGRAMS.has(base);
}

const courierNames = (text: string) => new Set(text.match(/\bcourier_[a-z_]+\b/g) ?? []);

describe('examples/observability', () => {
  const dashboard = Dashboard.parse(JSON.parse(read('grafana-dashboard.json')));
  const exprs = dashboard.panels.flatMap((p) => p.targets ?? []).map((t) => t.expr);

  it('queries only metrics that exist, and shows rate, errors, latency, saturation and pool use', () => {
    const used = courierNames(exprs.join('\n'));
    for (const name of used) expect(isKnown(name), name).toBe(true);
    for (const needed of [
      MetricNames.serverRequests,
      `${MetricNames.serverRequestDuration}_bucket`,
      MetricNames.serverInFlight,
      MetricNames.serverQueued,
      MetricNames.serverShed,
      MetricNames.poolBusyThreads,
    ]) {
      expect(used.has(needed), needed).toBe(true);
    }
    expect(exprs.filter((e) => e.includes('histogram_quantile(0.5,')).length).toBeGreaterThan(0);
    expect(exprs.filter((e) => e.includes('histogram_quantile(0.99,')).length).toBeGreaterThan(0);
  });

  it('names only existing metrics in the README queries', () => {
    for (const name of courierNames(read('README.md'))) expect(isKnown(name), name).toBe(true);
  });
});
