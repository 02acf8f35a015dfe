import { describe, expect, it } from 'vitest';
import { childOf, formatTraceparent, newTrace, parseTraceparent } from './trace-context.js';

const VALID = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const FORMAT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

describe('traceparent', () => {
  it('parses a valid header', () => {
    expect(parseTraceparent(VALID)).toEqual({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      flags: '01',
    });
  });

  it.each([
    ['missing', undefined],
    ['garbage', 'hello'],
    ['upper case', VALID.toUpperCase()],
    ['version ff', VALID.replace(/^00/, 'ff')],
    ['zero trace id', `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`],
    ['zero span id', `00-4bf92f3577b34da6a3ce929d0e0e4736-${'0'.repeat(16)}-01`],
    ['extra field in version 00', `${VALID}-extra`],
  ])('rejects %s', (_name, value) => {
    expect(parseTraceparent(value)).toBeUndefined();
  });

  it('accepts extra fields from a later version', () => {
    expect(parseTraceparent(`01-${VALID.slice(3)}-future`)?.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
  });

  it('starts new traces with valid, distinct ids', () => {
    const a = formatTraceparent(newTrace());
    const b = formatTraceparent(newTrace());
    expect(a).toMatch(FORMAT);
    expect(parseTraceparent(a)).toBeDefined();
    expect(a).not.toBe(b);
  });

  it('makes child spans in the same trace with the same flags', () => {
    const parent = parseTraceparent(VALID)!;
    const child = childOf(parent);
    expect(child.traceId).toBe(parent.traceId);
    expect(child.flags).toBe('01');
    expect(child.spanId).not.toBe(parent.spanId);
    expect(formatTraceparent(child)).toMatch(FORMAT);
  });
});
