import { afterEach } from 'vitest';
import { createMetrics, type Metrics, type MetricsOptions } from '../index.js';
import { type Exposition, parseExposition } from './exposition.js';

/**
 * Creates a Metrics that is closed after the current test, even a failing
 * one, so no subscriber outlives its test. Default process metrics are off
 * unless asked for: they are prom-client's, and noisy in assertions.
 */
export function useMetrics(): (options?: MetricsOptions) => Metrics {
  const open: Metrics[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((m) => m.close()));
  });
  return (options) => {
    const metrics = createMetrics({ defaultMetrics: false, ...options });
    open.push(metrics);
    return metrics;
  };
}

/** Scrapes the registry in-process and parses the text. */
export async function scrape(metrics: Metrics): Promise<Exposition> {
  return parseExposition(await metrics.registry.metrics());
}
