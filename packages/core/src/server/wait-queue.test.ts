import { describe, expect, it } from 'vitest';
import { type Queued, WaitQueue } from './wait-queue.js';

/** The fields of a Queued member, for object literals. */
const queuedFields = (): Queued => ({
  queuePrev: undefined,
  queueNext: undefined,
  queueOwner: undefined,
  queueArrival: 0,
});

type Item = Queued & { name: string };
const item = (name: string): Item => ({ ...queuedFields(), name });

describe('WaitQueue', () => {
  it('is first in, first out, with removal from anywhere', () => {
    const q = new WaitQueue<Item>();
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map(item) as [Item, Item, Item, Item];
    q.push(a, 1);
    q.push(b, 2);
    q.push(c, 3);
    expect(q.remove(b)).toBe(true);
    expect(q.remove(b)).toBe(false);
    q.push(d, 4);
    expect(q.size).toBe(3);
    expect(q.peek()?.queueArrival).toBe(1);
    expect([q.shift(), q.shift(), q.shift(), q.shift()].map((i) => i?.name)).toEqual([
      'a',
      'c',
      'd',
      undefined,
    ]);
    expect(q.size).toBe(0);
  });

  it('does not remove a member of another queue', () => {
    const q1 = new WaitQueue<Item>();
    const q2 = new WaitQueue<Item>();
    const a = item('a');
    q1.push(a, 1);
    expect(q2.remove(a)).toBe(false);
    expect(q1.size).toBe(1);
  });

  it('drains a long queue from the front in order', () => {
    const q = new WaitQueue<Item>();
    for (let i = 0; i < 50_000; i++) q.push(item(String(i)), i);
    let expected = 0;
    for (let next = q.shift(); next !== undefined; next = q.shift())
      expect(next.queueArrival).toBe(expected++);
    expect(expected).toBe(50_000);
  });
});
