import { describe, expect, it } from 'vitest';
import { CRITICAL, type CriticalityRank, DEFAULT, SHEDDABLE } from '../criticality.js';
import type { Queued } from '../wait-queue.js';
import { Bulkhead, type Waiter } from './bulkhead.js';
import { FixedLimiter } from './limiter.js';

/** The fields of a Queued member, for object literals. */
const queuedFields = (): Queued => ({
  queuePrev: undefined,
  queueNext: undefined,
  queueOwner: undefined,
  queueArrival: 0,
});

function waiter(
  log: string[],
  name: string,
  onStart?: () => void,
  criticality: CriticalityRank = DEFAULT,
): Waiter {
  return {
    ...queuedFields(),
    criticality,
    bytes: 0,
    start() {
      log.push(name);
      onStart?.();
    },
    shed() {
      log.push(`shed ${name}`);
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
    expect([lane.active, lane.queued, b.active, b.queued]).toEqual([1, 1, 1, 1]);
    b.leave(lane);
    expect(log).toEqual(['b']);
    expect([lane.active, lane.queued, b.active, b.queued]).toEqual([1, 0, 1, 0]);
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
      criticality: DEFAULT,
      bytes: 0,
      shed() {},
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

  it('starts the most critical waiter first, FIFO within a criticality', () => {
    const b = new Bulkhead({ concurrency: 10, maxQueue: 10 });
    const lane = b.lane('m', { concurrency: 1, maxQueue: 10 });
    const log: string[] = [];
    const holder = waiter(log, 'holder');
    expect(b.enter(lane, holder)).toBe('run');
    b.enter(lane, waiter(log, 's1', undefined, SHEDDABLE));
    b.enter(lane, waiter(log, 'd1'));
    b.enter(lane, waiter(log, 'c1', undefined, CRITICAL));
    b.enter(lane, waiter(log, 'd2'));
    for (let i = 0; i < 4; i++) b.leave(lane);
    expect(log).toEqual(['c1', 'd1', 'd2', 's1']);
  });

  it('when full, sheds the oldest waiter of the lowest criticality below the caller, never a peer', () => {
    const b = new Bulkhead({ concurrency: 10, maxQueue: 10 });
    const lane = b.lane('m', { concurrency: 1, maxQueue: 2 });
    const log: string[] = [];
    expect(b.enter(lane, waiter(log, 'holder'))).toBe('run');
    expect(b.enter(lane, waiter(log, 'd1'))).toBe('queued');
    expect(b.enter(lane, waiter(log, 's1', undefined, SHEDDABLE))).toBe('queued');
    // A sheddable call never evicts, not even another sheddable one.
    expect(b.enter(lane, waiter(log, 's2', undefined, SHEDDABLE))).toBe('overloaded');
    // A default call evicts the sheddable one, not its peer d1.
    expect(b.enter(lane, waiter(log, 'd2'))).toBe('queued');
    expect(log).toEqual(['shed s1']);
    // A default call finds no lower waiter and is shed itself; a critical one evicts the oldest default.
    expect(b.enter(lane, waiter(log, 'd3'))).toBe('overloaded');
    expect(b.enter(lane, waiter(log, 'c1', undefined, CRITICAL))).toBe('queued');
    expect(log).toEqual(['shed s1', 'shed d1']);
    expect([lane.queued, b.queued]).toEqual([2, 2]);
    b.leave(lane);
    b.leave(lane);
    expect(log.slice(2)).toEqual(['c1', 'd2']);
  });

  it("admits no more than its limiter's limit, running and queued together", () => {
    const b = new Bulkhead({ concurrency: 10, maxQueue: 10 });
    const lane = b.lane('m', { concurrency: 2, maxQueue: 10 }, new FixedLimiter(3));
    const log: string[] = [];
    expect(b.enter(lane, waiter(log, 'a'))).toBe('run');
    expect(b.enter(lane, waiter(log, 'b'))).toBe('run');
    expect(b.enter(lane, waiter(log, 'c'))).toBe('queued');
    expect(b.enter(lane, waiter(log, 'd'))).toBe('overloaded');
    expect(b.enter(lane, waiter(log, 'e', undefined, CRITICAL))).toBe('queued');
    expect(log).toEqual(['shed c']);
  });
});
