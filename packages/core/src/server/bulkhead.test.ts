import { describe, expect, it } from 'vitest';
import { Bulkhead, type Waiter } from './bulkhead.js';
import type { Queued } from './wait-queue.js';

/** The fields of a Queued member, for object literals. */
const queuedFields = (): Queued => ({
  queuePrev: undefined,
  queueNext: undefined,
  queueOwner: undefined,
  queueArrival: 0,
});

function waiter(log: string[], name: string, onStart?: () => void): Waiter {
  return {
    ...queuedFields(),
    start() {
      log.push(name);
      onStart?.();
    },
  };
}

describe('Bulkhead', () => {
  it('runs at once while both levels have room, then queues, then sheds', () => {
    const b = new Bulkhead({ concurrency: 10, maxQueue: 10 });
    const lane = b.lane('m', { concurrency: 1, maxQueue: 1 });
    const log: string[] = [];
    expect(b.enter(lane, waiter(log, 'a'))).toBe('run');
    expect(b.enter(lane, waiter(log, 'b'))).toBe('queued');
    expect(b.enter(lane, waiter(log, 'c'))).toBe('overloaded');
    expect([lane.active, lane.waiting.size, b.active, b.queued]).toEqual([1, 1, 1, 1]);
    b.leave(lane);
    expect(log).toEqual(['b']);
    expect([lane.active, lane.waiting.size, b.active, b.queued]).toEqual([1, 0, 1, 0]);
  });

  it('holds a method to the service-wide limit and queue', () => {
    const b = new Bulkhead({ concurrency: 2, maxQueue: 1 });
    const x = b.lane('x', { concurrency: 5, maxQueue: 5 });
    const y = b.lane('y', { concurrency: 5, maxQueue: 5 });
    const log: string[] = [];
    expect(b.enter(x, waiter(log, 'x1'))).toBe('run');
    expect(b.enter(y, waiter(log, 'y1'))).toBe('run');
    expect(b.enter(x, waiter(log, 'x2'))).toBe('queued');
    // The service's queue (1) is full even though y's own queue is empty.
    expect(b.enter(y, waiter(log, 'y2'))).toBe('overloaded');
  });

  it('starts waiters across methods in arrival order, skipping methods at their own limit', () => {
    const b = new Bulkhead({ concurrency: 2, maxQueue: 10 });
    const x = b.lane('x', { concurrency: 1, maxQueue: 10 });
    const y = b.lane('y', { concurrency: 2, maxQueue: 10 });
    const log: string[] = [];
    b.enter(x, waiter(log, 'x1'));
    b.enter(y, waiter(log, 'y1'));
    b.enter(x, waiter(log, 'x2'));
    b.enter(y, waiter(log, 'y2'));
    b.enter(y, waiter(log, 'y3'));
    // y1 leaves: x2 arrived first but x is at its limit (x1 still runs), so y2 goes.
    b.leave(y);
    expect(log).toEqual(['y2']);
    // x1 leaves: x2 is first in line and x has room.
    b.leave(x);
    expect(log).toEqual(['y2', 'x2']);
  });

  it('removes a waiter so it never starts, and frees its queue place', () => {
    const b = new Bulkhead({ concurrency: 1, maxQueue: 1 });
    const lane = b.lane('m', { concurrency: 1, maxQueue: 1 });
    const log: string[] = [];
    const w = waiter(log, 'w');
    b.enter(lane, waiter(log, 'a'));
    expect(b.enter(lane, w)).toBe('queued');
    expect(b.remove(lane, w)).toBe(true);
    expect(b.remove(lane, w)).toBe(false);
    expect(b.enter(lane, waiter(log, 'b'))).toBe('queued');
    b.leave(lane);
    expect(log).toEqual(['b']);
  });

  it('keeps the stack flat when started waiters finish synchronously', () => {
    const b = new Bulkhead({ concurrency: 1, maxQueue: 50_000 });
    const lane = b.lane('m', { concurrency: 1, maxQueue: 50_000 });
    let started = 0;
    const sync = (): Waiter => ({
      ...queuedFields(),
      start() {
        started++;
        b.leave(lane);
      },
    });
    b.enter(lane, waiter([], 'first'));
    for (let i = 0; i < 50_000; i++) b.enter(lane, sync());
    b.leave(lane);
    expect(started).toBe(50_000);
    expect([b.active, b.queued]).toEqual([0, 0]);
  });

  it('sheds at once with maxQueue 0', () => {
    const b = new Bulkhead({ concurrency: 1, maxQueue: 0 });
    const lane = b.lane('m', { concurrency: 1, maxQueue: 0 });
    expect(b.enter(lane, waiter([], 'a'))).toBe('run');
    expect(b.enter(lane, waiter([], 'b'))).toBe('overloaded');
  });
});
