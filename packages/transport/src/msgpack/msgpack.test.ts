import fc from 'fast-check';
import { pack as msgpackrPack, Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { decode, decodeAt, encode, MsgpackError } from './index.js';

/** msgpackr as a reference: plain MessagePack, no records, 64-bit integers as bigint. */
const reference = new Packr({
  useRecords: false,
  moreTypes: false,
  mapsAsObjects: true,
  int64AsType: 'bigint',
});

/** Values in the documented subset (maps with string keys other than __proto__). */
const key = fc.string({ maxLength: 12 }).filter((k) => k !== '__proto__');
const scalar = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.maxSafeInteger(),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }),
  fc.double(),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ maxLength: 300 }),
  fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
  fc.date({ noInvalidDate: true }),
);
const { value } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, scalar, tie('array'), tie('map')),
  array: fc.array(tie('value'), { maxLength: 5 }),
  map: fc.dictionary(key, tie('value'), { maxKeys: 5 }),
}));

/**
 * What a value is once it has been through MessagePack: safe bigints become
 * numbers, and integral doubles beyond 2^53 (written as integers) bigints.
 */
function normal(v: unknown, integralDoubles = true): unknown {
  // -0 goes out as the integer 0.
  if (integralDoubles && Object.is(v, -0)) return 0;
  if (
    integralDoubles &&
    typeof v === 'number' &&
    Number.isInteger(v) &&
    !Number.isSafeInteger(v) &&
    v >= -(2 ** 63) &&
    v < 2 ** 64
  ) {
    return BigInt(v);
  }
  if (typeof v === 'bigint')
    return Number.isSafeInteger(Number(v)) && BigInt(Number(v)) === v ? Number(v) : v;
  if (Array.isArray(v)) return v.map((x) => normal(x, integralDoubles));
  if (v instanceof Date || Buffer.isBuffer(v) || v === null || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normal(x, integralDoubles)]));
}

const extended = new Packr({ moreTypes: true, structuredClone: true });
const hex = (s: string) => Buffer.from(s.replace(/ /g, ''), 'hex');
const code = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    if (e instanceof MsgpackError) return e.code;
    throw e;
  }
  return 'none';
};

describe('strict MessagePack codec', () => {
  it('reads what msgpackr writes, as msgpackr reads it (property)', () => {
    fc.assert(
      fc.property(value, (v) => {
        const bytes = reference.pack(v);
        expect(decode(bytes)).toEqual(normal(reference.unpack(bytes), false));
      }),
      { numRuns: 500 },
    );
  });

  it('writes what msgpackr reads back as the same value (property)', () => {
    fc.assert(
      fc.property(value, (v) => {
        expect(normal(reference.unpack(encode(v)))).toEqual(normal(v));
        expect(decode(encode(v))).toEqual(normal(v));
      }),
      { numRuns: 500 },
    );
  });

  it('writes integers as integers of the smallest width, never float64', () => {
    expect(encode(5_000_000_000).toString('hex')).toBe('cf000000012a05f200');
    expect(encode(2 ** 53 - 1).toString('hex')).toBe('cf001fffffffffffff');
    expect(encode(-(2 ** 40)).toString('hex')).toBe('d3ffffff0000000000');
    expect(encode(0xffff_ffff).toString('hex')).toBe('ceffffffff');
    expect(encode(-1).toString('hex')).toBe('ff');
    expect(encode(2n ** 64n - 1n).toString('hex')).toBe('cfffffffffffffffff');
    expect(encode(1.5)[0]).toBe(0xcb);
    expect(encode(-0).toString('hex')).toBe('00');
    // msgpackr writes the same value as a float64: the finding this codec fixes.
    expect(msgpackrPack(5_000_000_000)[0]).toBe(0xcb);
  });

  it('round-trips every 64-bit integer exactly (number when safe, bigint beyond)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }), (n) => {
        const out = decode(encode(n));
        expect(BigInt(out as number | bigint)).toBe(n);
        expect(typeof out).toBe(
          Number.isSafeInteger(Number(n)) && BigInt(Number(n)) === n ? 'number' : 'bigint',
        );
      }),
    );
    expect(decode(hex('cf 00 20 00 00 00 00 00 00'))).toBe(2n ** 53n);
    expect(decode(hex('cf 00 1f ff ff ff ff ff ff'))).toBe(2 ** 53 - 1);
  });

  it('writes objects with a map16 header, as msgpackr does', () => {
    expect(encode({ a: 1 })).toEqual(msgpackrPack({ a: 1 }));
    expect(encode({ a: undefined }, { skipUndefined: true }).toString('hex')).toBe('de0000');
  });

  it('refuses what the documented subset leaves out, by code', () => {
    expect(code(() => decode(hex('c1')))).toBe('UNSUPPORTED_TYPE');
    expect(code(() => decode(extended.pack(new Set([1]))))).toBe('UNSUPPORTED_TYPE');
    expect(code(() => decode(extended.pack(new Error('x'))))).toBe('UNSUPPORTED_TYPE');
    expect(code(() => decode(extended.pack(/x/)))).toBe('UNSUPPORTED_TYPE');
    expect(code(() => decode(extended.pack(new Float64Array(2))))).toBe('UNSUPPORTED_TYPE');
    expect(code(() => decode(new Packr({ useRecords: true }).pack([{ a: 1 }, { a: 2 }])))).toBe(
      'UNSUPPORTED_TYPE',
    );
    expect(code(() => decode(hex('d4 01 00')))).toBe('UNSUPPORTED_TYPE');
    expect(code(() => decode(hex('d5 ff 00 00')))).toBe('UNSUPPORTED_TYPE');
    expect(code(() => decode(hex('01 02')))).toBe('TRAILING_BYTES');
    expect(code(() => decode(hex('92 01')))).toBe('TRUNCATED');
    expect(code(() => decode(hex('dd ff ff ff ff')))).toBe('TRUNCATED');
    expect(code(() => decode(hex('a2 c3 28')))).toBe('INVALID_UTF8');
    expect(code(() => decode(hex('81 c0 01')))).toBe('INVALID_KEY');
    expect(code(() => decode(hex('81 90 01')))).toBe('INVALID_KEY');
    expect(code(() => decode(msgpackrPack(JSON.parse('{"__proto__":{"polluted":1}}'))))).toBe('INVALID_KEY');
    expect(code(() => decode(Buffer.alloc(101, 0x91)))).toBe('TOO_DEEP');
    expect(
      code(() =>
        decode(Buffer.concat([hex('dc 00 05'), Buffer.alloc(5, 0x90)]), { maxDepth: 9, maxItems: 4 }),
      ),
    ).toBe('TOO_MANY_ITEMS');
    for (const v of [new Set(), /x/, new Error('x'), new Float32Array(1), () => 1, Symbol('s')]) {
      expect(code(() => encode(v))).toBe('UNENCODABLE');
    }
    const cycle: unknown[] = [];
    cycle.push(cycle);
    expect(code(() => encode(cycle))).toBe('UNENCODABLE');
  });

  it('keeps integer map keys as their decimal strings, as msgpackr does', () => {
    expect(decode(hex('82 01 a1 61 ff a1 62'))).toEqual({ '1': 'a', '-1': 'b' });
  });

  it('reads the three timestamp sizes', () => {
    const dates = [
      new Date(0),
      new Date(1_700_000_000_000),
      new Date(1_700_000_000_123),
      new Date(-1),
      new Date(2 ** 36 * 1000),
    ];
    for (const d of dates) {
      expect(decode(encode(d))).toEqual(d);
      expect(decode(msgpackrPack(d))).toEqual(d);
      expect(reference.unpack(encode(d))).toEqual(d);
    }
  });

  it('bins are copies, not views that keep the input alive', () => {
    const input = encode({ b: Buffer.from('abc') });
    const out = decode(input) as { b: Buffer };
    input.fill(0);
    expect(out.b.toString()).toBe('abc');
  });

  it('decodeAt reads one value of a sequence and says where it ends', () => {
    const bytes = Buffer.concat([encode([1, 'a']), encode(7)]);
    const first = decodeAt(bytes, 0);
    expect(first.value).toEqual([1, 'a']);
    expect(decodeAt(bytes, first.end)).toEqual({ value: 7, end: bytes.length });
  });

  it('never throws anything but MsgpackError on arbitrary bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        code(() => decode(bytes));
      }),
      { numRuns: 2000 },
    );
  });
});
