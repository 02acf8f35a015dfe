import { Counter, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parseExposition } from './exposition.js';

describe('the test exposition parser', () => {
  it('reads families, samples and escaped label values as prom-client writes them', async () => {
    const registry = new Registry();
    const counter = new Counter({
      name: 'x_total',
      help: 'a\\b\nc',
      labelNames: ['v'],
      registers: [registry],
    });
    counter.inc({ v: 'quote " backslash \\ newline \n end' }, 3);
    counter.inc({ v: 'plain' });
    const x = parseExposition(await registry.metrics());
    expect(x.families.get('x_total')).toEqual({ name: 'x_total', type: 'counter', help: 'a\\b\nc' });
    expect(x.value('x_total', { v: 'quote " backslash \\ newline \n end' })).toBe(3);
    expect(x.value('x_total', { v: 'plain' })).toBe(1);
  });

  it('reads special values and timestamps, and rejects what it does not understand', () => {
    const x = parseExposition('a NaN\nb +Inf 1700000000\nc{l="1",} -Inf\n# a comment\n');
    expect(x.value('a')).toBeNaN();
    expect(x.value('b')).toBe(Number.POSITIVE_INFINITY);
    expect(x.value('c', { l: '1' })).toBe(Number.NEGATIVE_INFINITY);
    expect(() => parseExposition('a{l=1} 2')).toThrow(/bad label/);
    expect(() => parseExposition('a{l="1"} two')).toThrow(/bad value/);
    expect(() => parseExposition('a{l="1",l="2"} 1')).toThrow(/duplicate label/);
  });
});
