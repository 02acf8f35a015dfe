import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ChannelRecorder, Teardown, waitFor } from '../../../../tests/transport/helpers.js';
import { defineService, method } from '../definition.js';
import { CoreChannels, type PoolTaskEnd } from '../diagnostics.js';
import { CourierError } from '../errors.js';
import { type ComputePoolOptions, createComputePool } from './pool.js';
import type { ComputePool } from './pool-api.js';

const tasks = new URL('./fixtures/tasks.worker.ts', import.meta.url);
const any = z.unknown();

const calc = defineService({
  name: 'calc',
  version: 1,
  methods: {
    add: method({ input: any, output: any, compute: { module: tasks, export: 'add' } }),
    double: method({ input: any, output: any, compute: { module: tasks, export: 'double' } }),
    slice: method({ input: any, output: any, compute: { module: tasks, export: 'slice' } }),
    failTyped: method({ input: any, output: any, compute: { module: tasks, export: 'failTyped' } }),
    failPlain: method({ input: any, output: any, compute: { module: tasks, export: 'failPlain' } }),
    failAsync: method({ input: any, output: any, compute: { module: tasks, export: 'failAsync' } }),
    hold: method({ input: any, output: any, compute: { module: tasks, export: 'hold' } }),
    identity: method({ input: any, output: any, compute: { module: tasks } }),
    io: method({ input: any, handler: () => 'not compute' }),
  },
});

/** A settled promise's outcome, without awaiting: lets a test see that a task has not finished yet. */
function track<T>(promise: Promise<T>) {
  const state: { done: boolean; value?: T; error?: unknown } = { done: false };
  promise.then(
    (value) => Object.assign(state, { done: true, value }),
    (error: unknown) => Object.assign(state, { done: true, error }),
  );
  return state;
}

async function rejection(promise: Promise<unknown>): Promise<CourierError> {
  const err = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CourierError);
  return err as CourierError;
}

describe('compute pool', () => {
  const teardown = new Teardown();
  afterEach(() => teardown.run());

  /** A pool over the fixtures, with a gate its `hold` tasks spin on until the test opens it. */
  async function start(options: ComputePoolOptions = {}) {
    const gate = new Int32Array(new SharedArrayBuffer(4));
    const pool = await createComputePool(calc, { size: 1, ...options, shared: { gate, scale: 10 } });
    // Open the gate before closing, so close() never waits on a spinning task.
    teardown.add(pool, (p) => p.close());
    teardown.add(gate, (g) => Atomics.store(g, 0, 1));
    return { pool, open: () => Atomics.store(gate, 0, 1) };
  }

  it('runs a compute function on a worker with the shared data', async () => {
    const { pool } = await start();
    await expect(pool.run('add', { a: 2, b: 3 })).resolves.toBe(50);
    await expect(pool.run('identity', { x: [1, 'y'] })).resolves.toEqual({ x: [1, 'y'] });
    expect(pool.implementations).toEqual(expect.objectContaining({ add: 'module', identity: 'module' }));
    expect(pool.stats()).toEqual({ threads: 1, busy: 0, queued: 0 });
  });

  it('keeps a CourierError thrown in the worker: code, message and details', async () => {
    const { pool } = await start();
    const err = await rejection(pool.run('failTyped', {}));
    expect(err.code).toBe('BAD_REQUEST');
    expect(err.message).toBe('k must be at most 100');
    expect(err.details).toEqual({ field: 'k', max: 100 });
  });

  it('turns anything else into INTERNAL without exposing its message', async () => {
    const { pool } = await start();
    for (const name of ['failPlain', 'failAsync']) {
      const err = await rejection(pool.run(name, {}));
      expect(err.code).toBe('INTERNAL');
      expect(err.message).toBe('internal error');
      expect(JSON.stringify(err.details ?? null)).not.toMatch(/hunter2|undefined is not/);
      // The original stays in `cause`, for the server's log.
      expect((err.cause as Error).message).toMatch(/hunter2|undefined is not a function/);
    }
  });

  it('moves large typed arrays to the worker and back without copying', async () => {
    const { pool } = await start();
    const data = new Float32Array(1 << 20).fill(1.5);
    const out = (await pool.run('double', { data })) as { data: Float32Array; seen: number };
    expect(data.byteLength).toBe(0); // detached: the bytes were moved, not copied
    expect(out.seen).toBe(1 << 20);
    expect(out.data).toBeInstanceOf(Float32Array);
    expect(out.data.length).toBe(1 << 20);
    expect(out.data[12345]).toBe(3);
  });

  it('sends a slice of a large buffer with only its own bytes', async () => {
    const { pool } = await start();
    const out = (await pool.run('slice', { n: 32_768 })) as Float32Array;
    expect(out.length).toBe(32_768);
    expect(out.buffer.byteLength).toBe(32_768 * 4);
  });

  it('cancels a running task, freeing its worker for the next task', async () => {
    const { pool } = await start({ size: 1 });
    const caller = new AbortController();
    const held = pool.run('hold', { tag: 'a' }, { signal: caller.signal });
    const next = track(pool.run('add', { a: 1, b: 1 }));
    expect(pool.stats()).toMatchObject({ busy: 1, queued: 1 });
    caller.abort();
    expect((await rejection(held)).code).toBe('CANCELLED');
    await waitFor(() => next.done, 'the queued task to run');
    expect(next.value).toBe(20);
  });

  it('stops a running task at its deadline, freeing its worker', async () => {
    const { pool } = await start({ size: 1 });
    const held = pool.run('hold', { tag: 'a' }, { deadline: performance.now() + 50 });
    const next = pool.run('add', { a: 2, b: 2 });
    expect((await rejection(held)).code).toBe('DEADLINE_EXCEEDED');
    await expect(next).resolves.toBe(40);
  });

  it('drops a waiting task whose deadline passes, without running it', async () => {
    const { pool, open } = await start({ size: 1 });
    const held = pool.run('hold', { tag: 'a' });
    const queued = pool.run('add', { a: 1, b: 1 }, { deadline: performance.now() + 30 });
    expect((await rejection(queued)).code).toBe('DEADLINE_EXCEEDED');
    expect(pool.stats()).toMatchObject({ busy: 1, queued: 0 });
    open();
    await expect(held).resolves.toBe('a');
  });

  it('refuses a task at once with OVERLOADED when the queue is full', async () => {
    const { pool, open } = await start({ size: 1, maxQueue: 1 });
    const running = pool.run('hold', { tag: 'running' });
    const waiting = pool.run('hold', { tag: 'waiting' });
    const refused = track(pool.run('add', { a: 1, b: 1 }));
    await Promise.resolve();
    expect(refused.done).toBe(true);
    expect((refused.error as CourierError).code).toBe('OVERLOADED');
    open();
    await expect(running).resolves.toBe('running');
    await expect(waiting).resolves.toBe('waiting');
  });

  it('starts waiting tasks in arrival order', async () => {
    const { pool, open } = await start({ size: 1 });
    const held = pool.run('hold', { tag: 'first' });
    const order: number[] = [];
    const queued = Array.from({ length: 12 }, (_, i) =>
      pool.run('add', { a: i, b: 0 }).then(() => {
        order.push(i);
      }),
    );
    open();
    await held;
    await Promise.all(queued);
    expect(order).toEqual(Array.from({ length: 12 }, (_, i) => i));
  });

  it('rejects at once when the signal is already aborted or the deadline has passed', async () => {
    const { pool } = await start();
    expect((await rejection(pool.run('add', {}, { signal: AbortSignal.abort() }))).code).toBe('CANCELLED');
    expect((await rejection(pool.run('add', {}, { deadline: performance.now() - 1 }))).code).toBe(
      'DEADLINE_EXCEEDED',
    );
    expect((await rejection(pool.run('io', {}))).code).toBe('NOT_FOUND');
  });

  it('publishes a task-end event for each task a worker ran', async () => {
    const { pool } = await start();
    const ends = teardown.add(new ChannelRecorder<PoolTaskEnd>(CoreChannels.poolTaskEnd), (r) => r.close());
    await pool.run('add', { a: 1, b: 2 });
    await pool.run('failTyped', {}).catch(() => {});
    expect(ends.events.map(({ method, status }) => ({ method, status }))).toEqual([
      { method: 'add', status: 'OK' },
      { method: 'failTyped', status: 'BAD_REQUEST' },
    ]);
    expect(ends.events[0]!.service).toBe('calc');
    expect(ends.events[0]!.durationSeconds).toBeGreaterThan(0);
  });

  it('closes after the tasks in flight, refusing new ones meanwhile', async () => {
    const { pool, open } = await start({ size: 1 });
    const events: string[] = [];
    const running = pool.run('hold', { tag: 'running' }).then((v) => events.push(`task ${v}`));
    const waiting = pool.run('add', { a: 1, b: 1 }).then((v) => events.push(`task ${v}`));
    const closed = pool.close().then(() => events.push('closed'));
    expect((await rejection(pool.run('add', { a: 1, b: 1 }))).code).toBe('UNAVAILABLE');
    expect(events).toEqual([]);
    open();
    await Promise.all([running, waiting, closed]);
    expect(events).toEqual(['task running', 'task 20', 'closed']);
    expect(pool.stats().threads).toBe(0);
  });
});

describe('compute pool with several workers', () => {
  let pool: ComputePool | undefined;
  afterEach(() => pool?.close());

  it('runs up to `size` tasks at once', async () => {
    const gate = new Int32Array(new SharedArrayBuffer(4));
    pool = await createComputePool(calc, { size: 2, shared: { gate, scale: 1 } });
    const a = pool.run('hold', { tag: 'a' });
    const b = pool.run('hold', { tag: 'b' });
    const c = pool.run('hold', { tag: 'c' });
    expect(pool.stats()).toMatchObject({ busy: 2, queued: 1 });
    await waitFor(() => pool!.stats().threads === 2, 'a second worker');
    Atomics.store(gate, 0, 1);
    await expect(Promise.all([a, b, c])).resolves.toEqual(['a', 'b', 'c']);
  });
});
