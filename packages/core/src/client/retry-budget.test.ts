import { describe, expect, it } from 'vitest';
import { FakeClock } from './fixtures/helpers.js';
import { RetryBudget } from './retry-budget.js';

describe('RetryBudget', () => {
  it('earns `ratio` of a retry per call', () => {
    const budget = new RetryBudget({ ratio: 0.2, minRetriesPerSecond: 0 }, new FakeClock().now);
    let allowed = 0;
    for (let i = 0; i < 100; i++) {
      budget.deposit();
      if (budget.tryWithdraw()) allowed++;
    }
    expect(allowed).toBe(20);
  });

  it('keeps at most maxTokens for later', () => {
    const budget = new RetryBudget({ ratio: 1, minRetriesPerSecond: 0, maxTokens: 3 }, new FakeClock().now);
    for (let i = 0; i < 10; i++) budget.deposit();
    const allowed = Array.from({ length: 10 }, () => budget.tryWithdraw()).filter(Boolean);
    expect(allowed).toHaveLength(3);
  });

  it('allows minRetriesPerSecond without any calls, refilling with time', () => {
    const clock = new FakeClock();
    const budget = new RetryBudget({ ratio: 0, minRetriesPerSecond: 4 }, clock.now);
    const burst = () => Array.from({ length: 10 }, () => budget.tryWithdraw()).filter(Boolean).length;
    expect(burst()).toBe(4);
    clock.advance(500);
    expect(burst()).toBe(2);
    clock.advance(60_000);
    expect(burst()).toBe(4);
  });
});
