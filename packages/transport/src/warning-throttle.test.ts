import { describe, expect, it } from 'vitest';
import { WarningThrottle } from './warning-throttle.js';

describe('WarningThrottle', () => {
  it('lets the first warning through, then at most one per interval, with the count held back', () => {
    const throttle = new WarningThrottle(10_000);
    expect(throttle.take(5)).toBe(0);
    expect(throttle.take(6)).toBeUndefined();
    expect(throttle.take(10_004)).toBeUndefined();
    expect(throttle.take(10_005)).toBe(2);
    expect(throttle.take(20_004)).toBeUndefined();
    expect(throttle.take(60_000)).toBe(1);
    expect(throttle.take(70_000)).toBe(0);
  });
});
