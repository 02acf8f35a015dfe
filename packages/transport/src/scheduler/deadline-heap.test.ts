import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeadlineHeap, type Scheduled } from './deadline-heap.js';

interface Entry extends Scheduled {
  readonly name: string;
}

const entry = (name: string): Entry => ({ name, expiresAt: 0, heapIndex: -1 });

describe('DeadlineHeap', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function setup(ref = true) {
    const expired: string[] = [];
    const heap = new DeadlineHeap<Entry>((e) => expired.push(e.name), { ref });
    return { heap, expired };
  }

  it('expires entries at their deadline, in order, whatever their durations', () => {
    const { heap, expired } = setup();
    heap.add(entry('a'), performance.now() + 100);
    vi.advanceTimersByTime(10);
    heap.add(entry('b'), performance.now() + 100);
    heap.add(entry('short'), performance.now() + 50);
    vi.advanceTimersByTime(59);
    expect(expired).toEqual(['short']);
    vi.advanceTimersByTime(31);
    expect(expired).toEqual(['short', 'a']);
    vi.advanceTimersByTime(10);
    expect(expired).toEqual(['short', 'a', 'b']);
  });

  it('never expires a removed entry', () => {
    const { heap, expired } = setup();
    const a = entry('a');
    const b = entry('b');
    heap.add(a, performance.now() + 100);
    heap.add(b, performance.now() + 100);
    heap.remove(a);
    heap.remove(a); // a no-op the second time
    vi.advanceTimersByTime(200);
    expect(expired).toEqual(['b']);
  });

  // That the kept timer no longer holds the process open is shown by
  // clean-exit.test.ts, whose child process must exit by itself.
  it('keeps its timer for the next entry once empty, and still times that entry correctly', () => {
    const { heap, expired } = setup();
    const a = entry('a');
    heap.add(a, performance.now() + 100);
    heap.remove(a);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(60);
    heap.add(entry('b'), performance.now() + 100);
    // The kept timer fires early (at a's deadline), finds nothing due, and re-arms for b.
    vi.advanceTimersByTime(99);
    expect(expired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(expired).toEqual(['b']);
    // Idle again: the last timer fires with nothing to do, and nothing is left.
    vi.advanceTimersByTime(1000);
    expect(vi.getTimerCount()).toBe(0);
  });

  // From DeadlineWatch (the core server's scheme before the one scheduler).
  it('fires a near deadline and a far one each at its time; never one removed first', () => {
    const { heap, expired } = setup(false);
    const now = performance.now();
    heap.add(entry('near'), now + 20);
    heap.add(entry('far'), now + 500);
    const young = entry('young');
    heap.add(young, now + 500);
    heap.remove(young);
    vi.advanceTimersByTime(20);
    expect(expired).toEqual(['near']);
    vi.advanceTimersByTime(479);
    expect(expired).toEqual(['near']);
    vi.advanceTimersByTime(1);
    expect(expired).toEqual(['near', 'far']);
  });

  it('orders deadlines spread over many values, with removals from the middle', () => {
    const { heap, expired } = setup();
    const now = performance.now();
    const entries = Array.from({ length: 500 }, (_, i) => entry(String(i)));
    // A scrambled order of 500 distinct deadlines, 1..500 ms ahead.
    for (const [i, e] of entries.entries()) heap.add(e, now + 1 + ((i * 7919) % 500));
    const removed = new Set(entries.filter((_, i) => i % 3 === 0));
    for (const e of removed) heap.remove(e);
    vi.advanceTimersByTime(501);
    const want = entries
      .filter((e) => !removed.has(e))
      .sort((x, y) => x.expiresAt - y.expiresAt)
      .map((e) => e.name);
    expect(expired).toEqual(want);
    expect(heap.size).toBe(0);
  });

  it('re-schedules an entry added again, and arms for an earlier one', () => {
    const { heap, expired } = setup();
    const a = entry('a');
    heap.add(a, performance.now() + 1000);
    heap.add(a, performance.now() + 10);
    vi.advanceTimersByTime(10);
    expect(expired).toEqual(['a']);
    vi.advanceTimersByTime(2000);
    expect(expired).toEqual(['a']);
  });

  it('clear() cancels every deadline and its timer', () => {
    const { heap, expired } = setup();
    heap.add(entry('a'), performance.now() + 10);
    heap.clear();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(100);
    expect(expired).toEqual([]);
  });
});
