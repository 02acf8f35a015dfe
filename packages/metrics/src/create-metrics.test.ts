import diagnosticsChannel from 'node:diagnostics_channel';
import { once } from 'node:events';
import { CoreChannels } from '@courier/core';
import { TransportChannels } from '@courier/transport';
import { register as globalRegistry, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { MetricsError } from './errors.js';
import { createMetrics } from './index.js';
import { MetricNames, MetricNames as N } from './names.js';
import { fakeServer, publish } from './testing/publish.js';
import { scrape, useMetrics } from './testing/scrape.js';

const create = useMetrics();
const ALL_CHANNELS = [...Object.values(CoreChannels), ...Object.values(TransportChannels)];

const ok = (method: string) =>
  publish.requestEnd({ service: 'playlist', method, status: 'OK', durationSeconds: 0.001, refused: false });

describe('createMetrics', () => {
  it('registers every metric family on a registry of its own, never the global one', async () => {
    const before = globalRegistry.getMetricsAsArray().length;
    const metrics = create();
    expect(metrics.registry).not.toBe(globalRegistry);
    const x = await scrape(metrics);
    for (const name of Object.values(MetricNames)) expect(x.families.has(name), name).toBe(true);
    expect(globalRegistry.getMetricsAsArray().length).toBe(before);
  });

  it('gives each instance its own state', async () => {
    const a = create();
    ok('get');
    const b = create();
    ok('get');
    expect(
      (await scrape(a)).value(N.serverRequests, { service: 'playlist', method: 'get', status: 'OK' }),
    ).toBe(2);
    expect(
      (await scrape(b)).value(N.serverRequests, { service: 'playlist', method: 'get', status: 'OK' }),
    ).toBe(1);
  });

  it('registers on a registry the application passes, next to its own metrics', async () => {
    const registry = new Registry();
    registry.registerMetric(
      new (await import('prom-client')).Counter({ name: 'app_things_total', help: 'x', registers: [] }),
    );
    const metrics = create({ registry });
    expect(metrics.registry).toBe(registry);
    const x = await scrape(metrics);
    expect(x.families.has('app_things_total')).toBe(true);
    expect(x.families.has(N.serverRequests)).toBe(true);
  });

  it('refuses a registry that already has Courier metrics, and accepts it again after close', async () => {
    const registry = new Registry();
    const first = create({ registry });
    let error: unknown;
    try {
      createMetrics({ registry, defaultMetrics: false });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(MetricsError);
    expect((error as MetricsError).code).toBe('ERR_COURIER_METRICS_REGISTERED');
    await first.close();
    expect(registry.getSingleMetric(N.serverRequests)).toBeUndefined();
    create({ registry });
    expect(registry.getSingleMetric(N.serverRequests)).toBeDefined();
  });

  it('unsubscribes from every channel on close', async () => {
    for (const name of ALL_CHANNELS)
      expect(diagnosticsChannel.channel(name).hasSubscribers, name).toBe(false);
    const metrics = create();
    for (const name of ALL_CHANNELS) expect(diagnosticsChannel.channel(name).hasSubscribers, name).toBe(true);
    await metrics.close();
    for (const name of ALL_CHANNELS)
      expect(diagnosticsChannel.channel(name).hasSubscribers, name).toBe(false);
    await metrics.close(); // idempotent
    await expect(metrics.listen({ port: 0 })).rejects.toMatchObject({ code: 'ERR_COURIER_METRICS_CLOSED' });
  });

  it('registers prom-client default process metrics unless told not to', async () => {
    const withDefaults = create({ defaultMetrics: true });
    const x = await scrape(withDefaults);
    for (const name of [
      'process_cpu_user_seconds_total',
      'nodejs_eventloop_lag_seconds',
      'nodejs_heap_size_used_bytes',
    ]) {
      expect(x.families.has(name), name).toBe(true);
    }
    const without = await scrape(create());
    expect(without.families.has('process_cpu_user_seconds_total')).toBe(false);
    await withDefaults.close();
    expect(withDefaults.registry.getMetricsAsArray()).toEqual([]);
  });

  it('survives a malformed payload: no exception reaches the publisher, one warning', async () => {
    create();
    const warned = once(process, 'warning');
    const channel = diagnosticsChannel.channel(CoreChannels.serverRequestEnd);
    expect(() => channel.publish(null)).not.toThrow();
    expect(() => channel.publish(undefined)).not.toThrow();
    const [warning] = (await warned) as [Error & { code?: string }];
    expect(warning.code).toBe('COURIER_METRICS_BAD_MESSAGE');
  });

  it('reports readiness from the lifecycle channel and stats().draining', async () => {
    const metrics = create();
    expect(metrics.readiness()).toEqual({ ready: false, reason: 'no server started' });
    const server = fakeServer('playlist', ['get']);
    server.announce('started');
    expect(metrics.readiness()).toEqual({ ready: true, reason: 'ready' });
    // Draining as reported by stats(), before (or without) the event.
    server.state.draining = true;
    expect(metrics.readiness()).toEqual({ ready: false, reason: 'draining: playlist' });
    server.state.draining = false;
    server.announce('draining');
    expect(metrics.readiness().ready).toBe(false);
    server.announce('stopped');
    expect(metrics.readiness()).toEqual({ ready: false, reason: 'no server started' });
  });

  it('learns of a server that started before it subscribed when that server drains', async () => {
    const server = fakeServer('playlist', ['get']);
    server.announce('started');
    const metrics = create();
    server.announce('draining');
    expect(metrics.readiness()).toEqual({ ready: false, reason: 'draining: playlist' });
    server.announce('stopped');
  });
});
