import {
  BadRequestError,
  createClient,
  createDynamicClient,
  DeadlineExceededError,
  defineService,
  method,
  NotFoundError,
  OverloadedError,
  type Server,
  serve,
} from '@courier/core';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { waitFor as waitForCondition } from '../../../tests/transport/helpers.js';
import { createMetrics, type Metrics, type MetricsEndpoint } from './index.js';
import { MetricNames as N } from './names.js';
import { type Exposition, parseExposition } from './testing/exposition.js';

/**
 * The end-to-end test: a real service and client in this process,
 * every outcome a caller can see, then `/metrics` scraped over HTTP and the
 * exposition checked count by count.
 */

// Short heartbeats for quick connects, but a generous liveness: these tests are
// not about dead peers, and a loaded machine can stall a process for 150 ms.
const FAST = {
  heartbeatIntervalMs: 50,
  heartbeatLiveness: 40,
  reconnectIntervalMs: 20,
  reconnectMaxIntervalMs: 100,
} as const;

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

let held = gate();

const probe = defineService({
  name: 'metrics-probe',
  version: 1,
  methods: {
    echo: method({ input: z.object({ text: z.string() }), handler: ({ text }) => ({ text }) }),
    fail: method({
      input: z.object({}),
      handler: () => {
        throw new BadRequestError('always');
      },
    }),
    // One at a time, no queue: a second call while one runs is shed.
    exclusive: method({
      input: z.object({}),
      concurrency: 1,
      maxQueue: 0,
      handler: async () => {
        await held.opened;
        return 'done';
      },
    }),
    // One at a time, one waiting, 150 ms each: the runner times out, the waiter expires in the queue.
    slow: method({
      input: z.object({}),
      concurrency: 1,
      maxQueue: 1,
      timeoutMs: 150,
      handler: async () => {
        await held.opened;
        return 'done';
      },
    }),
  },
});

const silent = pino({ level: 'silent' });
const opened: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  held.open();
  while (opened.length > 0) await opened.pop()!();
  held = gate();
});

async function start(): Promise<{ metrics: Metrics; http: MetricsEndpoint; server: Server<typeof probe> }> {
  const metrics = createMetrics();
  opened.push(() => metrics.close());
  const http = await metrics.listen({ port: 0, host: '127.0.0.1' });
  const server = await serve(probe, {
    bind: 'tcp://127.0.0.1:*',
    logger: silent,
    gracefulShutdown: { signals: false, graceMs: 1000 },
    ...FAST,
  });
  opened.push(() => server.close());
  return { metrics, http, server };
}

async function scrapeHttp(http: MetricsEndpoint): Promise<Exposition> {
  const res = await fetch(`${http.url}/metrics`);
  expect(res.status).toBe(200);
  return parseExposition(await res.text());
}

/** The shared waitFor, with this file's 5 s bound. */
const waitFor = (condition: () => boolean | Promise<boolean>, what: string) =>
  waitForCondition(condition, what, 5000);

const statsOf = (server: Server, name: string) => server.stats().methods.find((m) => m.method === name)!;
const S = 'metrics-probe';

describe('metrics of a real service, scraped over HTTP', () => {
  it('counts successful, failing, shed and timed-out calls on both sides, by label', async () => {
    const { http, server } = await start();
    const client = createClient(probe, { endpoints: server.endpoints, transport: FAST, retry: false });
    opened.push(() => client.$close());

    for (let i = 0; i < 5; i++) await client.echo({ text: `hello ${i}` });
    for (let i = 0; i < 2; i++) await expect(client.fail({})).rejects.toBeInstanceOf(BadRequestError);

    // Shed: `exclusive` is busy and has no queue.
    const running = client.exclusive({});
    await waitFor(() => statsOf(server, 'exclusive').inflight === 1, 'exclusive to run');
    await expect(client.exclusive({})).rejects.toBeInstanceOf(OverloadedError);

    // Timed out while running, and expired while queued.
    const runner = client.slow({});
    await waitFor(() => statsOf(server, 'slow').inflight === 1, 'slow to run');
    const waiter = client.slow({});
    await waitFor(() => statsOf(server, 'slow').queued === 1, 'slow to queue');
    // The gauges are read from stats() at scrape time.
    const during = await scrapeHttp(http);
    expect(during.value(N.serverInFlight, { service: S, method: 'exclusive' })).toBe(1);
    expect(during.value(N.serverInFlight, { service: S, method: 'slow' })).toBe(1);
    expect(during.value(N.serverQueued, { service: S, method: 'slow' })).toBe(1);
    await expect(runner).rejects.toBeInstanceOf(DeadlineExceededError);
    await expect(waiter).rejects.toBeInstanceOf(DeadlineExceededError);

    held.open();
    expect(await running).toBe('done');

    const x = await scrapeHttp(http);
    const requests = (m: string, status: string) =>
      x.value(N.serverRequests, { service: S, method: m, status });
    expect(requests('echo', 'OK')).toBe(5);
    expect(requests('fail', 'BAD_REQUEST')).toBe(2);
    expect(requests('exclusive', 'OK')).toBe(1);
    expect(requests('exclusive', 'OVERLOADED')).toBe(1);
    expect(requests('slow', 'DEADLINE_EXCEEDED')).toBe(2);
    expect(x.sum(N.serverRequests)).toBe(11);
    expect(x.value(N.serverShed, { service: S, method: 'exclusive' })).toBe(1);
    expect(x.value(N.serverShed, { service: S, method: 'slow' })).toBe(0);
    expect(x.value(N.serverExpired, { service: S, method: 'slow' })).toBe(1);
    expect(x.value(N.serverExpired, { service: S, method: 'echo' })).toBe(0);
    expect(x.value(`${N.serverRequestDuration}_count`, { service: S, method: 'echo' })).toBe(5);
    expect(x.value(`${N.serverRequestDuration}_count`, { service: S, method: 'slow' })).toBe(2);
    // Both slow calls ran into the 150 ms limit, so neither is in a bucket under 0.1 s.
    expect(x.value(`${N.serverRequestDuration}_bucket`, { service: S, method: 'slow', le: '0.1' })).toBe(0);
    expect(x.value(N.serverInFlight, { service: S, method: 'slow' })).toBe(0);
    expect(x.value(N.serverQueued, { service: S, method: 'slow' })).toBe(0);
    expect(x.value(N.serverDraining, { service: S })).toBe(0);

    const calls = (m: string, status: string) => x.value(N.clientCalls, { service: S, method: m, status });
    expect(calls('echo', 'OK')).toBe(5);
    expect(calls('fail', 'BAD_REQUEST')).toBe(2);
    expect(calls('exclusive', 'OK')).toBe(1);
    expect(calls('exclusive', 'OVERLOADED')).toBe(1);
    expect(calls('slow', 'DEADLINE_EXCEEDED')).toBe(2);
    expect(x.sum(N.clientCalls)).toBe(11);
    expect(x.series(N.clientRetries)).toEqual([]);
    expect(x.value(`${N.clientCallDuration}_count`, { service: S, method: 'echo' })).toBe(5);
    expect(x.value(N.clientEndpoints, { service: S, state: 'alive' })).toBe(1);

    expect(x.value(N.transportPeers, { side: 'server' })).toBe(1);
    expect(x.value(N.transportPeers, { side: 'client' })).toBe(1);
    expect(x.value(N.transportReceivedBytes, { side: 'server' })).toBeGreaterThan(0);
    expect(x.value(N.transportSentBytes, { side: 'client' })).toBeGreaterThan(0);
    expect(x.sum(N.transportDropped)).toBe(0);
  });

  it('adds exactly one label value for a flood of unknown method names', async () => {
    const { http, server } = await start();
    const client = createClient(probe, { endpoints: server.endpoints, transport: FAST });
    const stranger = createDynamicClient(S, { endpoints: server.endpoints, transport: FAST, retry: false });
    opened.push(
      () => client.$close(),
      () => stranger.$close(),
    );
    await client.echo({ text: 'hi' });
    const flood = Array.from({ length: 300 }, (_, i) => stranger.call(`no_such_method_${i}`, {}));
    for (const call of flood) await expect(call).rejects.toBeInstanceOf(NotFoundError);

    const x = await scrapeHttp(http);
    const methods = x.labelValues(N.serverRequests, 'method');
    expect(methods).toEqual(new Set(['echo', 'unknown']));
    expect(x.value(N.serverRequests, { service: S, method: 'unknown', status: 'NOT_FOUND' })).toBe(300);
    // Every series of every server metric stays within the definition's methods plus `unknown`.
    const known = new Set([...Object.keys(probe.methods), 'unknown']);
    for (const sample of x.samples.filter(
      (s) => s.name.startsWith('courier_server_') && 'method' in s.labels,
    )) {
      expect(known.has(sample.labels.method!), `${sample.name} ${sample.labels.method}`).toBe(true);
    }
  });

  it('answers /readyz 503 before start, 200 while serving, 503 while draining and after close', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    opened.push(() => metrics.close());
    const http = await metrics.listen({ port: 0, host: '127.0.0.1' });
    const readyz = async () => (await fetch(`${http.url}/readyz`)).status;
    expect(await readyz()).toBe(503);

    const server = await serve(probe, {
      bind: 'tcp://127.0.0.1:*',
      logger: silent,
      gracefulShutdown: { signals: false },
      ...FAST,
    });
    opened.push(() => server.close());
    expect(await readyz()).toBe(200);
    expect((await fetch(`${http.url}/healthz`)).status).toBe(200);

    // Hold a call so the drain lasts until we let it finish.
    const client = createClient(probe, { endpoints: server.endpoints, transport: FAST });
    opened.push(() => client.$close());
    const running = client.exclusive({});
    await waitFor(() => statsOf(server, 'exclusive').inflight === 1, 'exclusive to run');
    const drained = server.drain();
    expect(await readyz()).toBe(503);
    const x = await scrapeHttp(http);
    expect(x.value(N.serverDraining, { service: S })).toBe(1);
    expect((await fetch(`${http.url}/healthz`)).status).toBe(200);

    held.open();
    expect(await running).toBe('done');
    await drained;
    expect(await readyz()).toBe(503);
    await server.close();
    expect(await readyz()).toBe(503);
    expect((await scrapeHttp(http)).series(N.serverInFlight)).toEqual([]);
  });
});
