import { describe, expect, it } from 'vitest';
import { MetricNames as N } from './names.js';
import { publish } from './testing/publish.js';
import { scrape, useMetrics } from './testing/scrape.js';

const create = useMetrics();

describe('client metrics', () => {
  it('counts calls by final status, durations and retries by reason', async () => {
    const metrics = create();
    publish.callEnd({ service: 'catalog', method: 'get', status: 'OK', durationSeconds: 0.001, attempts: 1 });
    publish.callEnd({ service: 'catalog', method: 'get', status: 'OK', durationSeconds: 0.004, attempts: 2 });
    publish.callEnd({
      service: 'catalog',
      method: 'get',
      status: 'UNAVAILABLE',
      durationSeconds: 0.2,
      attempts: 3,
    });
    publish.retry({ service: 'catalog', method: 'get', reason: 'OVERLOADED' });
    publish.retry({ service: 'catalog', method: 'get', reason: 'UNAVAILABLE' });
    publish.retry({ service: 'catalog', method: 'get', reason: 'UNAVAILABLE' });

    const x = await scrape(metrics);
    expect(x.value(N.clientCalls, { service: 'catalog', method: 'get', status: 'OK' })).toBe(2);
    expect(x.value(N.clientCalls, { service: 'catalog', method: 'get', status: 'UNAVAILABLE' })).toBe(1);
    expect(x.value(`${N.clientCallDuration}_count`, { service: 'catalog', method: 'get' })).toBe(3);
    expect(
      x.value(`${N.clientCallDuration}_bucket`, { service: 'catalog', method: 'get', le: '0.005' }),
    ).toBe(2);
    expect(x.value(N.clientRetries, { service: 'catalog', method: 'get', reason: 'OVERLOADED' })).toBe(1);
    expect(x.value(N.clientRetries, { service: 'catalog', method: 'get', reason: 'UNAVAILABLE' })).toBe(2);
  });

  it('tracks endpoints by state, reporting the usual states even when empty', async () => {
    const metrics = create();
    const endpoint = (endpoint: string, state: string) =>
      publish.endpoint({ service: 'catalog', endpoint, state });
    endpoint('tcp://10.0.0.1:5555', 'connecting');
    endpoint('tcp://10.0.0.2:5555', 'connecting');
    endpoint('tcp://10.0.0.3:5555', 'connecting');
    endpoint('tcp://10.0.0.1:5555', 'alive');
    endpoint('tcp://10.0.0.2:5555', 'alive');
    endpoint('tcp://10.0.0.3:5555', 'alive');
    endpoint('tcp://10.0.0.2:5555', 'ejected');
    endpoint('tcp://10.0.0.3:5555', 'dead');
    endpoint('tcp://10.0.0.3:5555', 'removed');

    let x = await scrape(metrics);
    const state = (s: string) => x.value(N.clientEndpoints, { service: 'catalog', state: s });
    expect(state('alive')).toBe(1);
    expect(state('ejected')).toBe(1);
    expect(state('dead')).toBe(0);
    expect(state('draining')).toBe(0);
    expect(x.find(N.clientEndpoints, { service: 'catalog', state: 'connecting' })).toBeUndefined();

    endpoint('tcp://10.0.0.1:5555', 'draining');
    x = await scrape(metrics);
    expect(state('alive')).toBe(0);
    expect(state('draining')).toBe(1);

    // Closing a client reports its endpoints closed: they are no longer counted.
    endpoint('tcp://10.0.0.1:5555', 'closed');
    endpoint('tcp://10.0.0.2:5555', 'closed');
    x = await scrape(metrics);
    expect(x.sum(N.clientEndpoints, { service: 'catalog' })).toBe(0);
  });
});
