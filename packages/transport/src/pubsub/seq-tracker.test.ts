import { describe, expect, it } from 'vitest';
import { SeqTracker } from './seq-tracker.js';

describe('SeqTracker', () => {
  it('takes the first event on a topic as the baseline', () => {
    const t = new SeqTracker('tcp://p');
    expect(t.observe('a.x', 41)).toBeUndefined();
    expect(t.observe('a.x', 42)).toBeUndefined();
  });

  it('reports the events skipped between two numbers', () => {
    const t = new SeqTracker('tcp://p');
    t.observe('a.x', 1);
    expect(t.observe('a.x', 5)).toEqual({
      endpoint: 'tcp://p',
      topic: 'a.x',
      expected: 2,
      received: 5,
      lost: 3,
    });
    expect(t.observe('a.x', 6)).toBeUndefined();
  });

  it('follows each topic on its own', () => {
    const t = new SeqTracker('tcp://p');
    t.observe('a.x', 1);
    t.observe('a.y', 1);
    expect(t.observe('a.x', 2)).toBeUndefined();
    expect(t.observe('a.y', 2)).toBeUndefined();
  });

  it('treats a number at or below the last as a publisher restart', () => {
    const t = new SeqTracker('tcp://p');
    t.observe('a.x', 9);
    // Restarted; nothing of the new run missed.
    expect(t.observe('a.x', 1)).toBeUndefined();
    expect(t.observe('a.x', 2)).toBeUndefined();
    // Restarted again; event 1 of the new run went by while we reconnected.
    expect(t.observe('a.x', 2)).toEqual({
      endpoint: 'tcp://p',
      topic: 'a.x',
      expected: 1,
      received: 2,
      lost: 1,
    });
  });

  it('starts over on a topic it was told to forget', () => {
    const t = new SeqTracker('tcp://p');
    t.observe('a.x', 1);
    t.forget('a.x');
    expect(t.observe('a.x', 10)).toBeUndefined();
  });
});
