import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeadlineWatch, type Watched } from './deadline-watch.js';

function item(deadline: number, expired: string[], name: string): Watched {
  return {
    deadline,
    expire: () => expired.push(name),
    watchTimer: undefined,
    watchSlot: -1,
    watchGeneration: -1,
  };
}

describe('DeadlineWatch', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fires a near deadline with its own timer, a far one after the sweep gives it one', () => {
    const watch = new DeadlineWatch(50);
    const expired: string[] = [];
    const now = performance.now();
    const near = item(now + 20, expired, 'near');
    const far = item(now + 500, expired, 'far');
    watch.watch(near);
    watch.watch(far);
    expect(near.watchTimer).toBeDefined();
    expect(far.watchTimer).toBeUndefined();
    vi.advanceTimersByTime(20);
    expect(expired).toEqual(['near']);
    vi.advanceTimersByTime(30);
    // The sweep ran: the far item, still unsettled, now has its own timer.
    expect(far.watchTimer).toBeDefined();
    vi.advanceTimersByTime(449);
    expect(expired).toEqual(['near']);
    vi.advanceTimersByTime(1);
    expect(expired).toEqual(['near', 'far']);
    watch.close();
  });

  it('never fires for an unwatched item, before or after the sweep', () => {
    const watch = new DeadlineWatch(50);
    const expired: string[] = [];
    const now = performance.now();
    const young = item(now + 500, expired, 'young');
    const armed = item(now + 500, expired, 'armed');
    watch.watch(young);
    watch.watch(armed);
    watch.unwatch(young);
    vi.advanceTimersByTime(60);
    expect(armed.watchTimer).toBeDefined();
    expect(young.watchTimer).toBeUndefined();
    watch.unwatch(armed);
    vi.advanceTimersByTime(1000);
    expect(expired).toEqual([]);
    watch.close();
  });
});
