import { type OpenMetricsContentType, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { MetricNames as N } from './names.js';
import { parseExposition } from './testing/exposition.js';
import { fakeServer, publish } from './testing/publish.js';
import { useMetrics } from './testing/scrape.js';

const create = useMetrics();

describe('the HTTP endpoint', () => {
  it('serves /metrics in the registry content type', async () => {
    const metrics = create();
    const http = await metrics.listen({ port: 0, host: '127.0.0.1' });
    expect(http.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    publish.requestEnd({
      service: 'playlist',
      method: 'get',
      status: 'OK',
      durationSeconds: 0.001,
      refused: false,
    });
    const res = await fetch(`${http.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(metrics.registry.contentType);
    const x = parseExposition(await res.text());
    expect(x.value(N.serverRequests, { service: 'playlist', method: 'get', status: 'OK' })).toBe(1);
  });

  it('uses the OpenMetrics content type when the registry does', async () => {
    const registry = new Registry<OpenMetricsContentType>();
    registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    const metrics = create({ registry });
    const http = await metrics.listen({ port: 0, host: '127.0.0.1' });
    const res = await fetch(`${http.url}/metrics`);
    expect(res.headers.get('content-type')).toBe(Registry.OPENMETRICS_CONTENT_TYPE);
    expect(await res.text()).toMatch(/# EOF\n$/);
  });

  it('answers /healthz always and /readyz only while a service is started and not draining', async () => {
    const metrics = create();
    const http = await metrics.listen({ port: 0, host: '127.0.0.1' });
    const status = async (path: string) => (await fetch(`${http.url}${path}`)).status;
    expect(await status('/healthz')).toBe(200);
    expect(await status('/readyz')).toBe(503);

    const server = fakeServer('playlist', ['get']);
    server.announce('started');
    expect(await status('/readyz')).toBe(200);
    server.announce('draining');
    const res = await fetch(`${http.url}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.text()).toBe('draining: playlist\n');
    expect(await status('/healthz')).toBe(200);
    server.announce('stopped');
    expect(await status('/readyz')).toBe(503);
  });

  it('answers HEAD without a body, refuses other methods and unknown paths', async () => {
    const metrics = create();
    const http = await metrics.listen({ port: 0, host: '127.0.0.1' });
    const head = await fetch(`${http.url}/metrics`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    const post = await fetch(`${http.url}/metrics`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    expect((await fetch(`${http.url}/metrics?x=1`)).status).toBe(200);
    expect((await fetch(`${http.url}/nope`)).status).toBe(404);
  });

  it('closes with keep-alive connections open, and on metrics.close()', async () => {
    const metrics = create();
    const a = await metrics.listen({ port: 0, host: '127.0.0.1' });
    const b = await metrics.listen({ port: 0, host: '127.0.0.1' });
    await (await fetch(`${a.url}/healthz`, { headers: { connection: 'keep-alive' } })).text();
    await a.close();
    await expect(fetch(`${a.url}/healthz`)).rejects.toThrow();
    await metrics.close();
    await expect(fetch(`${b.url}/healthz`)).rejects.toThrow();
  });

  it('rejects when the port is taken', async () => {
    const metrics = create();
    const a = await metrics.listen({ port: 0, host: '127.0.0.1' });
    const port = Number(new URL(a.url).port);
    await expect(metrics.listen({ port, host: '127.0.0.1' })).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});
