import { type ChildProcess, fork } from 'node:child_process';
import diagnosticsChannel from 'node:diagnostics_channel';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { type BytesTransferred, type PeerState, TransportChannels } from '@courier/transport';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createClient } from '../client/create-client.js';
import { defineService, method } from '../definition.js';
import { BadRequestError, ComputeStartError, CourierError } from '../errors.js';
import { startHarness, waitFor } from '../server/harness.test-util.js';
import { serve } from '../server/serve.js';
import { calc, calcShared } from './fixtures/calc.service.js';
import { nativeCompute } from './native.js';

const silent = pino({ level: 'silent' });

describe('compute methods served', () => {
  const cleanup: Array<() => unknown> = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  async function start(pool: { size?: number; maxQueue?: number } = {}) {
    const { shared, open } = calcShared();
    const harness = await startHarness(calc, { pool: { size: 1, ...pool, shared } });
    cleanup.push(() => harness[Symbol.asyncDispose]());
    cleanup.push(open); // runs first: no task is left spinning at close
    return { ...harness, open };
  }

  it('runs a compute method in the pool and reports the pool in stats', async () => {
    const h = await start({ size: 1 });
    expect(await h.call('add', { a: 2, b: 40 })).toMatchObject({ status: 'OK', value: 42 });
    expect(h.server.stats().pool).toEqual({ threads: 1, busy: 0, queued: 0 });
  });

  it('validates input on the main thread before a worker sees it', async () => {
    const h = await start();
    const out = await h.call('add', { a: 'two', b: 1 });
    expect(out.status).toBe('BAD_REQUEST');
  });

  it('answers heartbeats and I/O calls while every worker is busy', async () => {
    const h = await start({ size: 1 });
    const states: PeerState[] = [];
    h.client.on('state', (to) => states.push(to));
    let heard = 0;
    const onBytes = (msg: unknown) => {
      const b = msg as BytesTransferred;
      if (b.side === 'client' && b.direction === 'in') heard++;
    };
    diagnosticsChannel.subscribe(TransportChannels.bytes, onBytes);
    cleanup.push(() => diagnosticsChannel.unsubscribe(TransportChannels.bytes, onBytes));

    const held = h.call('hold', { tag: 'busy' }, { deadlineMs: 20_000 });
    const queued = h.call('hold', { tag: 'queued' }, { deadlineMs: 20_000 });
    await waitFor(() => h.server.stats().pool?.busy === 1 && h.server.stats().pool?.queued === 1);
    // Eight heartbeat windows (50 ms each) of the server's traffic, with the pool saturated throughout.
    const from = heard;
    await waitFor(() => heard - from >= 8, 10_000);
    expect(await h.call('ping', {})).toMatchObject({ status: 'OK', value: 'pong' });
    expect(h.client.state).toBe('alive');
    expect(states).not.toContain('dead');
    expect(h.server.stats().pool).toMatchObject({ busy: 1, queued: 1 });
    h.open();
    expect(await held).toMatchObject({ status: 'OK', value: 'busy' });
    expect(await queued).toMatchObject({ status: 'OK', value: 'queued' });
  });

  it('stops a task at the caller’s deadline and runs the next one', async () => {
    const h = await start({ size: 1 });
    const late = await h.call('hold', { tag: 'late' }, { deadlineMs: 100 });
    expect(late.status).toBe('DEADLINE_EXCEEDED');
    // The worker was freed (terminated and replaced): the next task runs.
    expect(await h.call('add', { a: 1, b: 1 })).toMatchObject({ status: 'OK', value: 2 });
  });

  it('stops a task the caller cancels and runs the next one', async () => {
    const h = await start({ size: 1 });
    const caller = new AbortController();
    const cancelled = h.call('hold', { tag: 'x' }, { signal: caller.signal });
    await waitFor(() => h.server.stats().pool?.busy === 1);
    caller.abort();
    expect((await cancelled).status).toBe('CANCELLED');
    await waitFor(() => h.server.stats().pool?.busy === 0);
    expect(await h.call('add', { a: 3, b: 4 })).toMatchObject({ status: 'OK', value: 7 });
  });

  it('answers OVERLOADED at once when the pool queue is full', async () => {
    const h = await start({ size: 1, maxQueue: 0 });
    const held = h.call('hold', { tag: 'only' });
    await waitFor(() => h.server.stats().pool?.busy === 1);
    expect((await h.call('add', { a: 1, b: 1 })).status).toBe('OVERLOADED');
    h.open();
    expect(await held).toMatchObject({ status: 'OK' });
  });

  it('delivers errors thrown in a worker typed, through a client', async () => {
    const { shared } = calcShared();
    const server = await serve(calc, {
      bind: 'tcp://127.0.0.1:*',
      logger: silent,
      gracefulShutdown: { signals: false },
      pool: { size: 1, shared },
    });
    cleanup.push(() => server.close());
    const client = createClient(calc, { endpoints: server.endpoints });
    cleanup.push(() => client.$close());

    const typed = await client.failTyped({}).catch((e: unknown) => e);
    expect(typed).toBeInstanceOf(BadRequestError);
    expect(typed).toMatchObject({ message: 'k must be at most 100', details: { field: 'k', max: 100 } });

    const plain = await client.failPlain({}).catch((e: unknown) => e);
    expect(plain).toBeInstanceOf(CourierError);
    expect(plain).toMatchObject({ code: 'INTERNAL', message: 'internal error' });
    expect(JSON.stringify((plain as CourierError).details ?? null)).not.toContain('hunter2');
  });
});

describe('serve() with a compute implementation that does not load', () => {
  it('refuses to start, naming the addon and its build command, and binds nothing', async () => {
    const svc = defineService({
      name: 'broken',
      version: 1,
      methods: {
        rank: method({
          input: z.unknown(),
          output: z.unknown(),
          compute: nativeCompute({
            addon: new URL('./fixtures/addon/build/Release/absent.node', import.meta.url),
            export: 'rank',
            build: 'npm run build:addon',
          }),
        }),
      },
    });
    const bind = `ipc:///tmp/courier-compute-refused-${process.pid}.sock`;
    const err = await serve(svc, { bind, logger: silent, gracefulShutdown: { signals: false } }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ComputeStartError);
    expect((err as Error).message).toContain('absent.node');
    expect((err as Error).message).toContain('npm run build:addon');
    // Nothing was bound: the same endpoint is free for a server that can start.
    const ok = await serve(calc, {
      bind,
      logger: silent,
      gracefulShutdown: { signals: false },
      pool: { size: 1 },
    });
    await ok.close();
  });
});

describe('shutdown', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    child?.kill('SIGKILL');
  });

  it('stops the pool with the server, so the process exits by itself, even with a task running', async () => {
    child = fork(fileURLToPath(new URL('./fixtures/serve-child.ts', import.meta.url)), {
      execArgv: ['--conditions=courier-source', '--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const exited = once(child, 'exit');
    const [endpoint] = (await once(child, 'message')) as [string];
    const client = createClient(calc, { endpoints: [endpoint] });
    try {
      expect(await client.add({ a: 1, b: 2 })).toBe(3);
      // A task that never finishes by itself keeps its worker (and so the process) busy.
      const held = client.hold({ tag: 'forever' }, { deadlineMs: 20_000 }).catch((e: unknown) => e);
      child.send(50); // close with a 50 ms grace period
      const [pool] = await once(child, 'message');
      expect(pool).toEqual({ threads: 0, busy: 0, queued: 0 });
      const [code, signal] = (await exited) as [number | null, string | null];
      expect({ code, signal }).toEqual({ code: 0, signal: null });
      expect(await held).toMatchObject({ code: expect.stringMatching(/CANCELLED|UNAVAILABLE/) });
    } finally {
      await client.$close();
    }
  });
});
