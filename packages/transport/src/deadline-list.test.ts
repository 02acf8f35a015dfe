import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type DeadlineEntry, DeadlineList } from './deadline-list.js';

interface Entry extends DeadlineEntry {
  readonly name: string;
}

const entry = (name: string): Entry => ({
  name,
  expiresAt: 0,
  prev: undefined,
  next: undefined,
  list: undefined,
});

describe('DeadlineList', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function setup() {
    const expired: string[] = [];
    const list = new DeadlineList<Entry>((e) => expired.push(e.name));
    return { list, expired };
  }

  it('expires entries at their deadline, in order, per duration', () => {
    const { list, expired } = setup();
    list.add(entry('a'), 100, performance.now());
    vi.advanceTimersByTime(10);
    list.add(entry('b'), 100, performance.now());
    list.add(entry('short'), 50, performance.now());
    vi.advanceTimersByTime(59);
    expect(expired).toEqual(['short']);
    vi.advanceTimersByTime(31);
    expect(expired).toEqual(['short', 'a']);
    vi.advanceTimersByTime(10);
    expect(expired).toEqual(['short', 'a', 'b']);
  });

  it('never expires a removed entry', () => {
    const { list, expired } = setup();
    const a = entry('a');
    const b = entry('b');
    list.add(a, 100, performance.now());
    list.add(b, 100, performance.now());
    list.remove(a);
    list.remove(a); // a no-op the second time
    vi.advanceTimersByTime(200);
    expect(expired).toEqual(['b']);
  });

  // That the kept timer no longer holds the process open is shown by
  // clean-exit.test.ts, whose child process must exit by itself.
  it('keeps its timer for the next entry once empty, and still times that entry correctly', () => {
    const { list, expired } = setup();
    const a = entry('a');
    list.add(a, 100, performance.now());
    list.remove(a);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(60);
    list.add(entry('b'), 100, performance.now());
    // The kept timer fires early (at a's deadline), finds nothing due, and re-arms for b.
    vi.advanceTimersByTime(99);
    expect(expired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(expired).toEqual(['b']);
    // Idle again: the last timer fires with nothing to do, and nothing is left.
    vi.advanceTimersByTime(1000);
    expect(vi.getTimerCount()).toBe(0);
  });
});
