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

  it('while draining, serves calls that arrive while others run; once idle, refuses them', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow = defineService({
      name: 'disp',
      version: 4,
      methods: {
        hold: method({ input: z.unknown(), handler: () => held.then(() => 'held') }),
        echo: method({ input: z.unknown(), handler: (x) => x }),
      },
    });
    const d = new Dispatcher(slow, resolveLimits(slow), pino({ level: 'silent' }));
    const running = new FakeRequest(1, 'disp.hold', null);
    d.onRequest(running);
    d.startDraining();
    let idle = false;
    const drained = d.whenIdle().then(() => {
      idle = true;
    });
    // Sent before its client heard DISCONNECT: served like any other.
    const late = new FakeRequest(2, 'disp.echo', 'late');
    d.onRequest(late);
    expect(answer(late)).toMatchObject({ status: 'OK', value: 'late' });
    const health = new FakeRequest(3, 'disp._health', undefined);
    d.onRequest(health);
    expect(answer(health).value).toMatchObject({ status: 'draining', inflight: 1 });
    expect(d.refusing).toBe(false);
    release();
    await drained;
    expect(answer(running)).toMatchObject({ status: 'OK', value: 'held' });
    // Idle: refused from the moment whenIdle resolved, as not executed.
    expect(idle && d.refusing).toBe(true);
    const after = new FakeRequest(4, 'disp.echo', 'after');
    d.onRequest(after);
    expect(answer(after)).toMatchObject({ status: 'UNAVAILABLE', message: 'server is draining' });
    d.close();
  });

  it('is idle at once when nothing runs', async () => {
    const d = dispatcher();
    await d.whenIdle();
    d.close();
  });
});
