import diagnosticsChannel from 'node:diagnostics_channel';
import { AbortReason, statusName } from '@courier/transport';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineService, method } from '../definition.js';
import { CoreChannels, type ServerRequestEnd } from '../diagnostics.js';
import { InternalError } from '../errors.js';
import { Dispatcher } from './dispatcher.js';
import { deferred, FakeRequest, startHarness, waitFor } from './harness.test-util.js';
import { resolveLimits } from './options.js';

/** Every outcome a call may have in these tests. */
const OUTCOMES = ['OK', 'INTERNAL', 'OVERLOADED', 'DEADLINE_EXCEEDED', 'CANCELLED', 'UNAVAILABLE'];

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const tick = (ms = 0): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The service under test. `hang` ignores its signal until `release` resolves,
 * so its calls end by deadline, cancel or close; `fail` throws both kinds of
 * error; `slow` waits a little; `fast` answers synchronously.
 */
function mixedService(started: Map<number, number>, release: Promise<void>) {
  const mark = (id: number): void => {
    started.set(id, (started.get(id) ?? 0) + 1);
  };
  const input = z.object({ id: z.number(), ms: z.number().default(0) });
  return defineService({
    name: 'mixed',
    version: 1,
    concurrency: 6,
    maxQueue: 10,
    methods: {
      fast: method({
        input,
        handler: ({ id }) => {
          mark(id);
          return id;
        },
      }),
      slow: method({
        input,
        handler: async ({ id, ms }) => {
          mark(id);
          await tick(ms);
          return id;
        },
      }),
      hang: method({
        input,
        timeoutMs: 15,
        concurrency: 2,
        maxQueue: 3,
        handler: async ({ id }) => {
          mark(id);
          await release;
          return id;
        },
      }),
      fail: method({
        input,
        handler: async ({ id }) => {
          mark(id);
          await tick();
          throw id % 2 === 0 ? new InternalError('typed') : new Error('untyped');
        },
      }),
    },
  });
}

const METHODS = ['fast', 'slow', 'hang', 'fail'] as const;

describe('every request gets exactly one outcome', () => {
  it.each([1, 2, 3, 4])('through the dispatcher, under a random mix and a close (seed %i)', async (seed) => {
    const random = mulberry32(seed);
    const started = new Map<number, number>();
    const release = deferred<void>();
    const definition = mixedService(started, release.promise);
    const dispatcher = new Dispatcher(definition, resolveLimits(definition), pino({ level: 'silent' }));
    const ends: ServerRequestEnd[] = [];
    const onEnd = (m: unknown): void => {
      ends.push(m as ServerRequestEnd);
    };
    diagnosticsChannel.subscribe(CoreChannels.serverRequestEnd, onEnd);
    const requests: FakeRequest[] = [];
    try {
      for (let i = 1; i <= 400; i++) {
        const name = METHODS[Math.floor(random() * METHODS.length)]!;
        const deadline = random() < 0.2 ? 5 + Math.floor(random() * 20) : 0;
        const req = new FakeRequest(i, `mixed.${name}`, { id: i, ms: Math.floor(random() * 4) }, deadline);
        requests.push(req);
        if (i === 300) dispatcher.startDraining();
        dispatcher.onRequest(req);
        if (random() < 0.15) {
          const reason = random() < 0.7 ? AbortReason.CANCELLED : AbortReason.PEER_LOST;
          const later = Math.floor(random() * 10);
          setTimeout(() => req.abort(reason), later);
        }
        if (random() < 0.1) await tick(Math.floor(random() * 3));
      }
      await tick(5);
      dispatcher.abortAll();
      // Closing: whatever still arrives is refused, never run.
      for (let i = 401; i <= 420; i++) {
        const req = new FakeRequest(i, `mixed.${METHODS[i % METHODS.length]}`, { id: i });
        requests.push(req);
        dispatcher.onRequest(req);
      }
      release.resolve();
      await waitFor(() => dispatcher.bulkhead.active === 0);
      await tick(15);
    } finally {
      diagnosticsChannel.unsubscribe(CoreChannels.serverRequestEnd, onEnd);
      dispatcher.close();
    }

    let refusedFrom: number | undefined;
    for (const req of requests) {
      expect(req.replies, `request ${req.id}`).toHaveLength(1);
      const status = statusName(req.replies[0]!.status)!;
      expect(OUTCOMES).toContain(status);
      expect(started.get(req.id) ?? 0).toBeLessThanOrEqual(1);
      const message = req.replies[0]!.message ?? '';
      const neverRan =
        status === 'OVERLOADED' ||
        message === 'server is draining' ||
        message === 'deadline exceeded while queued' ||
        message === 'server closed before the call ran';
      if (neverRan) expect(started.has(req.id), `request ${req.id} (${status}: ${message})`).toBe(false);
      // Draining from request 300: served while earlier calls ran, refused once idle or
      // closing, and from then on for good.
      if (req.id <= 300) expect(message).not.toBe('server is draining');
      if (message === 'server is draining') refusedFrom ??= req.id;
      else if (refusedFrom !== undefined) expect.fail(`request ${req.id} was served after a refusal`);
    }
    expect(ends).toHaveLength(requests.length);
    expect(dispatcher.bulkhead.queued).toBe(0);
    // The mix really exercised each path.
    const statuses = new Set(requests.map((r) => statusName(r.replies[0]!.status)));
    for (const s of ['OK', 'INTERNAL', 'OVERLOADED', 'DEADLINE_EXCEEDED', 'UNAVAILABLE'])
      expect(statuses).toContain(s);
  });

  it('end to end, with the server closed mid-flight', async () => {
    const random = mulberry32(42);
    const started = new Map<number, number>();
    const release = deferred<void>();
    const definition = mixedService(started, release.promise);
    const h = await startHarness(definition, { gracefulShutdown: { graceMs: 10 } });
    let settled = 0;
    const calls: Array<Promise<{ id: number; status: string; message?: string; local: boolean }>> = [];
    try {
      let closing: Promise<void> | undefined;
      for (let i = 1; i <= 300; i++) {
        const name = METHODS[Math.floor(random() * METHODS.length)]!;
        const abort = random() < 0.15 ? new AbortController() : undefined;
        const deadlineMs = random() < 0.2 ? 5 + Math.floor(random() * 20) : 2000;
        calls.push(
          h
            .call(name, { id: i, ms: Math.floor(random() * 4) }, { deadlineMs, signal: abort?.signal })
            .then((o) => {
              settled++;
              return { id: i, status: o.status, message: o.message, local: o.local };
            }),
        );
        if (abort !== undefined) setTimeout(() => abort.abort(), Math.floor(random() * 10));
        if (i === 200) closing = h.server.close();
        if (random() < 0.1) await tick(Math.floor(random() * 3));
      }
      const outcomes = await Promise.all(calls);
      await closing;
      expect(settled).toBe(300);
      for (const o of outcomes) {
        expect(OUTCOMES).toContain(o.status);
        expect(started.get(o.id) ?? 0).toBeLessThanOrEqual(1);
        const refusedByServer =
          !o.local &&
          (o.status === 'OVERLOADED' ||
            o.message === 'deadline exceeded while queued' ||
            o.message === 'server closed before the call ran' ||
            o.message === 'server is draining');
        if (refusedByServer) expect(started.has(o.id), `call ${o.id}`).toBe(false);
      }
      expect(h.server.stats().methods.every((m) => m.queued === 0)).toBe(true);
      // Each request the server received has exactly one recorded outcome.
      expect(h.ends.length).toBeLessThanOrEqual(300);
      expect(new Set(outcomes.map((o) => o.status)).size).toBeGreaterThan(3);
    } finally {
      release.resolve();
      await h[Symbol.asyncDispose]();
    }
  });
});
