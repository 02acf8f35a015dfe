import { describe, expect, it } from 'vitest';
import { MetricNames as N } from './names.js';
import { fakeServer, publish } from './testing/publish.js';
import { scrape, useMetrics } from './testing/scrape.js';

const create = useMetrics();

describe('pool metrics', () => {
  it('reads threads, busy threads and queued tasks from stats().pool at scrape time', async () => {
    const metrics = create();
    const withPool = fakeServer('ranker', ['rank'], { threads: 4, busy: 3, queued: 7 });
    const without = fakeServer('playlist', ['get']);
    withPool.announce('started');
    without.announce('started');

    const x = await scrape(metrics);
    expect(x.value(N.poolThreads, { service: 'ranker' })).toBe(4);
    expect(x.value(N.poolBusyThreads, { service: 'ranker' })).toBe(3);
    expect(x.value(N.poolQueuedTasks, { service: 'ranker' })).toBe(7);
    expect(x.series(N.poolThreads)).toHaveLength(1);
    withPool.announce('stopped');
    without.announce('stopped');
  });

  it('counts tasks by status with their run time', async () => {
    const metrics = create();
    publish.taskEnd({ service: 'ranker', method: 'rank', status: 'OK', durationSeconds: 0.02 });
    publish.taskEnd({ service: 'ranker', method: 'rank', status: 'OK', durationSeconds: 0.3 });
    publish.taskEnd({ service: 'ranker', method: 'rank', status: 'INTERNAL', durationSeconds: 0.001 });

    const x = await scrape(metrics);
    expect(x.value(N.poolTasks, { service: 'ranker', method: 'rank', status: 'OK' })).toBe(2);
    expect(x.value(N.poolTasks, { service: 'ranker', method: 'rank', status: 'INTERNAL' })).toBe(1);
    expect(x.value(`${N.poolTaskDuration}_count`, { service: 'ranker', method: 'rank' })).toBe(3);
    expect(x.value(`${N.poolTaskDuration}_bucket`, { service: 'ranker', method: 'rank', le: '0.025' })).toBe(
      2,
    );
    expect(x.value(`${N.poolTaskDuration}_sum`, { service: 'ranker', method: 'rank' })).toBeCloseTo(0.321, 9);
  });
});
