import { describe, expect, it } from 'vitest';
import { ServerConfigError } from '../errors.js';
import { FixedLimiter, GradientLimiter, makeLimiter } from './limiter.js';

/** Feeds `n` samples of `latencyMs` with the lane as full as its limit. */
function feed(l: GradientLimiter, n: number, latencyMs: number, admitted = () => l.limit): void {
  for (let i = 0; i < n; i++) l.sample(latencyMs, admitted());
}

describe('GradientLimiter', () => {
  it('holds its limit while latency stays at its average', () => {
    const l = new GradientLimiter(24, { initialLimit: 12 });
    feed(l, 200, 10);
    // Flat latency: gradient 1, so the queue allowance lets it climb to the caps.
    expect(l.limit).toBe(24);
  });

  it('shrinks toward what runs without queueing when latency rises, and never below minLimit', () => {
    const l = new GradientLimiter(24);
    feed(l, 50, 10);
    feed(l, 50, 40);
    // Gradient clamped at 0.5 with a queue allowance of 4: the fixed point is 8.
    expect(l.limit).toBeLessThanOrEqual(9);
    expect(l.limit).toBeGreaterThanOrEqual(8);
    const floor = new GradientLimiter(24, { minLimit: 12 });
    feed(floor, 50, 10);
    feed(floor, 50, 40);
    expect(floor.limit).toBe(12);
  });

  it('is not judged while the lane uses under half its limit', () => {
    const l = new GradientLimiter(24);
    feed(l, 10, 10);
    feed(l, 100, 100, () => 3);
    expect(l.limit).toBe(24);
  });

  it('recovers once latency falls back after an overload', () => {
    const l = new GradientLimiter(24);
    feed(l, 20, 10);
    feed(l, 300, 40);
    const low = l.limit;
    expect(low).toBeLessThan(24);
    // The long average drifted up during the overload; it is pulled down quickly.
    feed(l, 100, 10);
    expect(l.longLatencyMs).toBeLessThan(20);
    expect(l.limit).toBe(24);
  });

  it('refuses options out of range with a typed error', () => {
    expect(() => new GradientLimiter(10, { minLimit: 11 })).toThrow(ServerConfigError);
    expect(() => new GradientLimiter(10, { smoothing: 0 })).toThrow(ServerConfigError);
    expect(() => new GradientLimiter(10, { initialLimit: 0 })).toThrow(ServerConfigError);
  });
});

describe('makeLimiter', () => {
  it('is fixed at the two caps unless adaptive is asked for', () => {
    expect(makeLimiter(undefined, 8, 16)).toEqual(new FixedLimiter(24));
    expect(makeLimiter('fixed', 8, 16).limit).toBe(24);
    const adaptive = makeLimiter('adaptive', 8, 16);
    expect(adaptive).toBeInstanceOf(GradientLimiter);
    expect(adaptive.limit).toBe(24);
    expect(makeLimiter({ initialLimit: 10 }, 8, 16).limit).toBe(10);
  });
});
