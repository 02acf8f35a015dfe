import { describe, expect, it } from 'vitest';
import { MetricNames as N } from './names.js';
import { fakeServer } from './testing/publish.js';
import { scrape, useMetrics } from './testing/scrape.js';

const create = useMetrics();

/** Keeps the event loop busy for `ms` in one turn, so delay and utilisation have something to show. */
function blockLoop(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {}
}

/** Lets the loop turn a few times, so the 10 ms delay sampler runs and sees the block. */
async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((r) => setTimeout(r, 15));
}

describe('event-loop metrics', () => {
  it('reports delay and utilisation per service served in the process', async () => {
    const metrics = create();
    const a = fakeServer('ranker', ['rank']);
    const b = fakeServer('playlist', ['get']);
    a.announce('started');
    b.announce('started');
    await scrape(metrics); // starts the windows from here
    await turns(2);
    blockLoop(60);
    await turns(3);

    const x = await scrape(metrics);
    for (const service of ['ranker', 'playlist']) {
      const max = x.value(N.eventLoopDelay, { service, quantile: '1' });
      // The 60 ms block delayed a sampler tick by about that much.
      expect(max).toBeGreaterThan(0.04);
      expect(x.value(N.eventLoopDelay, { service, quantile: '0.99' })).toBeGreaterThan(0);
      const utilization = x.value(N.eventLoopUtilization, { service });
      expect(utilization).toBeGreaterThan(0.2);
      expect(utilization).toBeLessThanOrEqual(1);
      expect(x.value(N.eventLoopActive, { service })).toBeGreaterThan(0.06);
    }
    a.announce('stopped');
    b.announce('stopped');
  });

  it('reports under service "unknown" in a process that serves nothing', async () => {
    const metrics = create();
    await scrape(metrics);
    await turns(2);
    const x = await scrape(metrics);
    expect(x.series(N.eventLoopUtilization)).toHaveLength(1);
    expect(x.value(N.eventLoopUtilization, { service: 'unknown' })).toBeGreaterThanOrEqual(0);
  });
});
