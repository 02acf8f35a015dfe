import { describe, expect, it } from 'vitest';
import { MetricNames as N } from './names.js';
import { fakeServer, publish } from './testing/publish.js';
import { scrape, useMetrics } from './testing/scrape.js';

const create = useMetrics();

describe('server metrics', () => {
  it('counts replies by status, shed and expired requests, per service and method', async () => {
    const metrics = create();
    publish.requestEnd({
      service: 'playlist',
      method: 'get',
      status: 'OK',
      durationSeconds: 0.0002,
      refused: false,
    });
    publish.requestEnd({
      service: 'playlist',
      method: 'get',
      status: 'OK',
      durationSeconds: 0.003,
      refused: false,
    });
    publish.requestEnd({
      service: 'playlist',
      method: 'get',
      status: 'OK',
      durationSeconds: 2,
      refused: false,
    });
    publish.requestEnd({
      service: 'playlist',
      method: 'get',
      status: 'BAD_REQUEST',
      durationSeconds: 0.0001,
      refused: false,
    });
    publish.requestEnd({
      service: 'playlist',
      method: 'add',
      status: 'OVERLOADED',
      durationSeconds: 0.00001,
      refused: true,
    });
    publish.requestEnd({
      service: 'playlist',
      method: 'add',
      status: 'OVERLOADED',
      durationSeconds: 0.00001,
      refused: true,
    });
    publish.requestEnd({
      service: 'playlist',
      method: 'add',
      status: 'DEADLINE_EXCEEDED',
      durationSeconds: 0.5,
      refused: true,
    });
    // A handler that ran out of time: expired, but not before running.
    publish.requestEnd({
      service: 'playlist',
      method: 'add',
      status: 'DEADLINE_EXCEEDED',
      durationSeconds: 1,
      refused: false,
    });
    // A handler that throws OVERLOADED itself did not shed anything.
    publish.requestEnd({
      service: 'playlist',
      method: 'add',
      status: 'OVERLOADED',
      durationSeconds: 0.01,
      refused: false,
    });

    const x = await scrape(metrics);
    expect(x.families.get(N.serverRequests)?.type).toBe('counter');
    expect(x.series(N.serverRequests)).toHaveLength(4);
    expect(x.value(N.serverRequests, { service: 'playlist', method: 'get', status: 'OK' })).toBe(3);
    expect(x.value(N.serverRequests, { service: 'playlist', method: 'get', status: 'BAD_REQUEST' })).toBe(1);
    expect(x.value(N.serverRequests, { service: 'playlist', method: 'add', status: 'OVERLOADED' })).toBe(3);
    expect(
      x.value(N.serverRequests, { service: 'playlist', method: 'add', status: 'DEADLINE_EXCEEDED' }),
    ).toBe(2);
    expect(x.value(N.serverShed, { service: 'playlist', method: 'add' })).toBe(2);
    expect(x.value(N.serverShed, { service: 'playlist', method: 'get' })).toBe(0);
    expect(x.value(N.serverExpired, { service: 'playlist', method: 'add' })).toBe(1);
    expect(x.value(N.serverExpired, { service: 'playlist', method: 'get' })).toBe(0);
  });

  it('exposes durations as a cumulative histogram in seconds', async () => {
    const metrics = create();
    for (const durationSeconds of [0.00003, 0.0002, 0.003, 2, 45]) {
      publish.requestEnd({
        service: 'playlist',
        method: 'get',
        status: 'OK',
        durationSeconds,
        refused: false,
      });
    }
    const x = await scrape(metrics);
    const get = { service: 'playlist', method: 'get' };
    const bucket = (le: string) => x.value(`${N.serverRequestDuration}_bucket`, { ...get, le });
    expect(x.families.get(N.serverRequestDuration)?.type).toBe('histogram');
    expect(bucket('0.00005')).toBe(1);
    expect(bucket('0.00025')).toBe(2);
    expect(bucket('0.0025')).toBe(2);
    expect(bucket('0.005')).toBe(3);
    expect(bucket('2.5')).toBe(4);
    expect(bucket('30')).toBe(4);
    expect(bucket('+Inf')).toBe(5);
    expect(x.value(`${N.serverRequestDuration}_count`, get)).toBe(5);
    expect(x.value(`${N.serverRequestDuration}_sum`, get)).toBeCloseTo(47.00323, 9);
  });

  it('reads in-flight and queued requests and draining from stats() at scrape time', async () => {
    const metrics = create();
    const a = fakeServer('playlist', ['get', 'add']);
    const b = fakeServer('playlist', ['get', 'add']);
    a.announce('started');
    b.announce('started');
    a.state.methods[0]!.inflight = 2;
    b.state.methods[0]!.inflight = 3;
    a.state.methods[1]!.queued = 5;

    let x = await scrape(metrics);
    // Two replicas of one service in one process add up.
    expect(x.value(N.serverInFlight, { service: 'playlist', method: 'get' })).toBe(5);
    expect(x.value(N.serverInFlight, { service: 'playlist', method: 'add' })).toBe(0);
    expect(x.value(N.serverQueued, { service: 'playlist', method: 'add' })).toBe(5);
    expect(x.value(N.serverDraining, { service: 'playlist' })).toBe(0);
    // Counters exist from the start, so rate() has a series before the first shed.
    expect(x.value(N.serverShed, { service: 'playlist', method: 'add' })).toBe(0);
    expect(x.value(`${N.serverRequestDuration}_count`, { service: 'playlist', method: 'get' })).toBe(0);

    a.state.methods[0]!.inflight = 0;
    b.state.draining = true;
    x = await scrape(metrics);
    expect(x.value(N.serverInFlight, { service: 'playlist', method: 'get' })).toBe(3);
    expect(x.value(N.serverDraining, { service: 'playlist' })).toBe(1);

    a.announce('stopped');
    b.announce('stopped');
    x = await scrape(metrics);
    expect(x.series(N.serverInFlight)).toEqual([]);
    expect(x.series(N.serverDraining)).toEqual([]);
    // Counters keep their totals after the server is gone.
    expect(x.value(N.serverShed, { service: 'playlist', method: 'add' })).toBe(0);
  });

  it('skips a server whose stats() throws instead of failing the scrape', async () => {
    const metrics = create();
    publish.lifecycle({
      event: 'started',
      service: 'broken',
      stats: () => {
        throw new Error('boom');
      },
    });
    const ok = fakeServer('playlist', ['get']);
    ok.announce('started');
    const x = await scrape(metrics);
    expect(x.labelValues(N.serverInFlight, 'service')).toEqual(new Set(['playlist']));
    ok.announce('stopped');
  });

  it('keeps a flood of method names to the label cap plus one `unknown`', async () => {
    const metrics = create({ maxLabelValues: 8 });
    for (let i = 0; i < 1000; i++) {
      publish.requestEnd({
        service: 'playlist',
        method: `m${i}`,
        status: 'NOT_FOUND',
        durationSeconds: 0.001,
        refused: false,
      });
    }
    // Core's own mapping of undefined methods.
    publish.requestEnd({
      service: 'playlist',
      method: 'unknown',
      status: 'NOT_FOUND',
      durationSeconds: 0.001,
      refused: false,
    });
    const x = await scrape(metrics);
    const methods = x.labelValues(N.serverRequests, 'method');
    expect(methods.size).toBe(9);
    expect(methods.has('unknown')).toBe(true);
    expect(x.sum(N.serverRequests)).toBe(1001);
    expect(x.value(N.serverRequests, { service: 'playlist', method: 'unknown', status: 'NOT_FOUND' })).toBe(
      993,
    );
    expect(x.labelValues(`${N.serverRequestDuration}_count`, 'method').size).toBe(9);
  });

  it('maps malformed label values to `unknown` and ignores non-finite durations', async () => {
    const metrics = create();
    publish.requestEnd({
      service: 'playlist',
      method: 'x'.repeat(500),
      status: 'OK',
      durationSeconds: Number.NaN,
      refused: false,
    });
    publish.requestEnd({
      service: 'playlist',
      method: '',
      status: 'OK',
      durationSeconds: -1,
      refused: false,
    });
    const x = await scrape(metrics);
    expect(x.value(N.serverRequests, { service: 'playlist', method: 'unknown', status: 'OK' })).toBe(2);
    expect(x.value(`${N.serverRequestDuration}_count`, { service: 'playlist', method: 'unknown' })).toBe(1);
    expect(x.value(`${N.serverRequestDuration}_sum`, { service: 'playlist', method: 'unknown' })).toBe(0);
  });
});
