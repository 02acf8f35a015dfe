import { describe, expect, it } from 'vitest';
import { BucketCounts } from './bucket-counts.js';
import { MetricsError } from './errors.js';
import { LabelGuard } from './label-guard.js';
import { SeriesTable, Tally } from './series-table.js';

describe('LabelGuard', () => {
  it('keeps the first values up to the cap, then answers unknown', () => {
    const guard = new LabelGuard(2);
    expect(guard.admit('a')).toBe('a');
    expect(guard.admit('b')).toBe('b');
    expect(guard.admit('c')).toBe('unknown');
    expect(guard.admit('a')).toBe('a');
    expect(guard.admit('unknown')).toBe('unknown');
    expect(guard.size).toBe(2);
  });

  it('turns non-strings, empty and over-long strings into unknown without using a slot', () => {
    const guard = new LabelGuard(1);
    for (const bad of [undefined, null, 42, {}, '', 'x'.repeat(129)])
      expect(guard.admit(bad)).toBe('unknown');
    expect(guard.admit('ok')).toBe('ok');
  });

  it('refuses a cap that is not a positive integer', () => {
    expect(() => new LabelGuard(0)).toThrow(MetricsError);
    expect(() => new LabelGuard(1.5)).toThrow(MetricsError);
  });
});

describe('SeriesTable and Tally', () => {
  it('bound each label separately', () => {
    const table = new SeriesTable(() => new Tally(new LabelGuard(1)), 2);
    table.get('s1', 'm1').add('OK');
    table.get('s1', 'm2').add('OK');
    table.get('s2', 'm3').add('OK');
    table.get('s3', 'm1').add('OK');
    expect([...table].map(([a, b]) => `${a}/${b}`)).toEqual(['s1/m1', 's1/m2', 's2/unknown', 'unknown/m1']);
    const tally = new Tally(new LabelGuard(1));
    tally.add('OK');
    tally.add('INTERNAL', 2);
    tally.add('OK');
    expect([...tally]).toEqual([
      ['OK', 2],
      ['unknown', 2],
    ]);
  });
});

describe('BucketCounts', () => {
  it('puts a value equal to a bound in that bound’s bucket (le is inclusive)', () => {
    const counts = new BucketCounts([1, 2]);
    for (const v of [0, 1, 1.5, 2, 3, Number.POSITIVE_INFINITY, Number.NaN]) counts.observe(v);
    expect([...counts.counts]).toEqual([2, 2, 1]);
    expect(counts.count).toBe(5);
    expect(counts.sum).toBe(7.5);
  });
});
