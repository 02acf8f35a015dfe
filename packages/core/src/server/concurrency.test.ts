import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineService, method } from '../definition.js';
import { CancelledError } from '../errors.js';
import { type Deferred, deferred, startHarness, waitFor } from './harness.test-util.js';

/**
 * A service whose `hold` calls each wait on a promise the test controls, so
 * "running", "queued" and "full" are states the test sets up, not timings.
 */
function gatedService(options: { concurrency?: number; maxQueue?: number; timeoutMs?: number } = {}) {
  const gates = new Map<string, Deferred<string>>();
  const started: string[] = [];
  const signals = new Map<string, AbortSignal>();
  const gate = (id: string): Deferred<string> => {
    let d = gates.get(id);
    if (d === undefined) {
      d = deferred<string>();
      gates.set(id, d);
    }
    return d;
  };
  const definition = defineService({
    name: 'gated',
    version: 1,
    concurrency: 100,
    methods: {
      hold: method({
        input: z.object({ id: z.string(), listen: z.boolean().default(false) }),
        concurrency: options.concurrency ?? 1,
        maxQueue: options.maxQueue ?? 1,
        timeoutMs: options.timeoutMs ?? 30_000,
        handler: async ({ id, listen }, ctx) => {
          started.push(id);
          if (listen) signals.set(id, ctx.signal);
          return gate(id).promise;
        },
      }),
      quick: method({ input: z.string(), handler: (s) => s }),
    },
  });
  return { definition, gate, started, signals };
}

describe('concurrency limits', () => {
  it('sheds with OVERLOADED once a method runs at its limit and its queue is full', async () => {
    const svc = gatedService({ concurrency: 1, maxQueue: 1 });
    await using h = await startHarness(svc.definition);
    const first = h.call('hold', { id: 'a' });
    await waitFor(() => svc.started.includes('a'));
    const second = h.call('hold', { id: 'b' });
    await waitFor(() => h.server.stats().methods.find((m) => m.method === 'hold')?.queued === 1);
    const third = await h.call('hold', { id: 'c' });
    expect(third).toMatchObject({ status: 'OVERLOADED', local: false });
    expect(h.server.stats().methods).toEqual([
      { method: 'hold', inflight: 1, queued: 1 },
      { method: 'quick', inflight: 0, queued: 0 },
    ]);
    // Other methods are not held up by this one's limit.
    expect(await h.call('quick', 'hi')).toMatchObject({ status: 'OK', value: 'hi' });
    svc.gate('a').resolve('A');
    svc.gate('b').resolve('B');
    expect(await first).toMatchObject({ status: 'OK', value: 'A' });
    expect(await second).toMatchObject({ status: 'OK', value: 'B' });
    expect(svc.started).toEqual(['a', 'b']);
    const shed = h.ends.find((e) => e.status === 'OVERLOADED');
    expect(shed).toMatchObject({ service: 'gated', method: 'hold', refused: true });
  });

  it('holds all methods to the service-wide limit', async () => {
    const definition = defineService({
      name: 'narrow',
      version: 1,
      concurrency: 1,
      maxQueue: 0,
      methods: {
        a: method({ input: z.unknown(), handler: () => gate.promise }),
        b: method({ input: z.unknown(), handler: () => 'b' }),
      },
    });
    const gate = deferred<string>();
    await using h = await startHarness(definition);
    const a = h.call('a', null);
    await waitFor(() => h.server.stats().methods[0]?.inflight === 1);
    expect(await h.call('b', null)).toMatchObject({ status: 'OVERLOADED' });
    gate.resolve('a');
    expect(await a).toMatchObject({ status: 'OK', value: 'a' });
    expect(await h.call('b', null)).toMatchObject({ status: 'OK', value: 'b' });
  });

  it('lets the serve() overrides replace the definition limits', async () => {
    const svc = gatedService({ concurrency: 1, maxQueue: 1 });
    await using h = await startHarness(svc.definition, {
      overrides: { methods: { hold: { concurrency: 2, maxQueue: 0 } } },
    });
    const a = h.call('hold', { id: 'a' });
    const b = h.call('hold', { id: 'b' });
    await waitFor(() => svc.started.length === 2);
    expect(await h.call('hold', { id: 'c' })).toMatchObject({ status: 'OVERLOADED' });
    svc.gate('a').resolve('A');
    svc.gate('b').resolve('B');
    await Promise.all([a, b]);
  });
});

describe('deadlines', () => {
  it('fails a call whose deadline passes while queued with DEADLINE_EXCEEDED; it never runs', async () => {
    const svc = gatedService({ concurrency: 1, maxQueue: 5, timeoutMs: 150 });
    await using h = await startHarness(svc.definition);
    const first = h.call('hold', { id: 'a' });
    await waitFor(() => svc.started.includes('a'));
    // The server's timeout (150 ms) is shorter than the caller's deadline, so
    // the answer is the server's, not the client's own timer.
    const queued = await h.call('hold', { id: 'b' }, { deadlineMs: 5000 });
    expect(queued).toMatchObject({
      status: 'DEADLINE_EXCEEDED',
      message: 'deadline exceeded while queued',
      local: false,
    });
    expect(await first).toMatchObject({ status: 'DEADLINE_EXCEEDED', local: false });
    svc.gate('a').resolve('late');
    await waitFor(() => h.server.stats().methods[0]?.inflight === 0);
    expect(svc.started).toEqual(['a']);
    expect(h.ends.map((e) => [e.status, e.refused])).toEqual([
      ['DEADLINE_EXCEEDED', false],
      ['DEADLINE_EXCEEDED', true],
    ]);
  });

  it('aborts ctx.signal when the deadline passes while running, and answers at the deadline', async () => {
    const svc = gatedService({ concurrency: 1, maxQueue: 1 });
    await using h = await startHarness(svc.definition, {
      overrides: { methods: { hold: { timeoutMs: 100 } } },
    });
    // This handler ignores its signal; the caller is answered anyway.
    const out = await h.call('hold', { id: 'a', listen: true });
    expect(out).toMatchObject({ status: 'DEADLINE_EXCEEDED', local: false });
    const signal = svc.signals.get('a')!;
    expect(signal.aborted).toBe(true);
    expect((signal.reason as Error).name).toBe('DeadlineExceededError');
    // Its slot is held until it really returns, and its late result is dropped.
    expect(h.server.stats().methods[0]?.inflight).toBe(1);
    svc.gate('a').resolve('late');
    await waitFor(() => h.server.stats().methods[0]?.inflight === 0);
    expect(h.ends).toHaveLength(1);
  });

  it('takes the caller deadline when it is shorter than the method timeout', async () => {
    const definition = defineService({
      name: 'remaining',
      version: 1,
      methods: {
        left: method({ input: z.unknown(), timeoutMs: 60_000, handler: (_i, ctx) => ctx.remainingMs() }),
      },
    });
    await using h = await startHarness(definition);
    const out = await h.call('left', null, { deadlineMs: 500 });
    expect(out.value).toBeGreaterThan(0);
    expect(out.value).toBeLessThanOrEqual(500);
  });
});

describe('cancellation', () => {
  it('removes a cancelled queued call; it never runs', async () => {
    const svc = gatedService({ concurrency: 1, maxQueue: 1 });
    await using h = await startHarness(svc.definition);
    const first = h.call('hold', { id: 'a' });
    await waitFor(() => svc.started.includes('a'));
    const abort = new AbortController();
    const queued = h.call('hold', { id: 'b' }, { signal: abort.signal });
    await waitFor(() => h.server.stats().methods[0]?.queued === 1);
    abort.abort();
    expect(await queued).toMatchObject({ status: 'CANCELLED', local: true });
    await waitFor(() => h.server.stats().methods[0]?.queued === 0);
    // Its place is free again.
    const next = h.call('hold', { id: 'c' });
    await waitFor(() => h.server.stats().methods[0]?.queued === 1);
    svc.gate('a').resolve('A');
    svc.gate('c').resolve('C');
    expect(await first).toMatchObject({ status: 'OK', value: 'A' });
    expect(await next).toMatchObject({ status: 'OK', value: 'C' });
    expect(svc.started).toEqual(['a', 'c']);
    expect(h.ends.find((e) => e.status === 'CANCELLED')).toMatchObject({ method: 'hold', refused: false });
  });

  it('aborts ctx.signal of a running call the caller cancels', async () => {
    const svc = gatedService();
    await using h = await startHarness(svc.definition);
    const abort = new AbortController();
    const call = h.call('hold', { id: 'a', listen: true }, { signal: abort.signal });
    await waitFor(() => svc.signals.has('a'));
    abort.abort();
    expect(await call).toMatchObject({ status: 'CANCELLED', local: true });
    const signal = svc.signals.get('a')!;
    await waitFor(() => signal.aborted);
    expect(signal.reason).toBeInstanceOf(CancelledError);
    expect(((signal.reason as Error).cause as { reason?: string }).reason).toBe('cancelled');
    svc.gate('a').resolve('late');
    await waitFor(() => h.ends.length === 1);
    expect(h.ends[0]).toMatchObject({ status: 'CANCELLED' });
  });
});
