import { msgpack, statusName } from '@courier/transport';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineService, method } from '../definition.js';
import { Dispatcher } from './dispatcher.js';
import { FakeRequest } from './harness.test-util.js';
import { resolveLimits } from './options.js';

const svc = defineService({
  name: 'disp',
  version: 4,
  methods: { echo: method({ input: z.unknown(), handler: (x) => x }) },
});

function dispatcher(): Dispatcher {
  return new Dispatcher(svc, resolveLimits(svc), pino({ level: 'silent' }));
}

function answer(req: FakeRequest): { status: string | undefined; message?: string; value: unknown } {
  const [reply] = req.replies;
  const body = reply?.body?.[0];
  return {
    status: statusName(reply!.status),
    message: reply?.message,
    value: body === undefined ? undefined : msgpack.unpack(body),
  };
}

describe('Dispatcher', () => {
  it('answers a synchronous handler before onRequest returns, touching no signal', () => {
    const d = dispatcher();
    const req = new FakeRequest(1, 'disp.echo', 'hi');
    d.onRequest(req);
    expect(answer(req)).toMatchObject({ status: 'OK', value: 'hi' });
    expect(req.signalCreated).toBe(false);
    d.close();
  });

  it('while draining, refuses calls with UNAVAILABLE but answers built-ins', () => {
    const d = dispatcher();
    d.startDraining();
    const call = new FakeRequest(1, 'disp.echo', 'hi');
    const health = new FakeRequest(2, 'disp._health', undefined);
    d.onRequest(call);
    d.onRequest(health);
    expect(answer(call)).toMatchObject({ status: 'UNAVAILABLE', message: 'server is draining' });
    expect(answer(health)).toMatchObject({
      status: 'OK',
      value: { status: 'draining', service: 'disp', version: 4, inflight: 0 },
    });
    expect(d.stats().draining).toBe(true);
    d.close();
  });

  it('is idle at once when nothing runs', async () => {
    const d = dispatcher();
    await d.whenIdle();
    d.close();
  });
});
