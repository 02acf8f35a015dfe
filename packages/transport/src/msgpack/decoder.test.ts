import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decode, decodeAt, encode, MsgpackDecoder, MsgpackError } from './index.js';

/** What the free decode gives, or the error code it throws. */
function outcome(f: () => unknown): unknown {
  try {
    return { value: f() };
  } catch (err) {
    return { code: (err as MsgpackError).code, offset: (err as MsgpackError).offset };
  }
}

const key = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.constantFrom('id', 'di', 'ab', 'ba', 'name', 'nmae', 'x'.repeat(16), 'x'.repeat(17), 'é', '__proto__'),
);
const { value } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, fc.string({ maxLength: 40 }), fc.integer(), tie('map')),
  map: fc.dictionary(key, tie('value'), { maxKeys: 6 }),
}));

describe('MsgpackDecoder (a kept reader and key cache)', () => {
  it('accepts and refuses exactly what the free decode does, call after call', () => {
    const kept = new MsgpackDecoder();
    fc.assert(
      fc.property(
        fc.array(fc.tuple(value, fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
        (cases) => {
          for (const [v, at, byte] of cases) {
            const bytes = Buffer.from(encode(v));
            expect(outcome(() => kept.decode(bytes))).toEqual(outcome(() => decode(bytes)));
            // A mutated copy: invalid UTF-8, bad headers, __proto__ spelled by a flipped byte...
            if (bytes.length > 0) bytes[at % bytes.length] = byte;
            expect(outcome(() => kept.decode(bytes))).toEqual(outcome(() => decode(bytes)));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('tells apart keys that share a cache slot, and never returns a cached key for other bytes', () => {
    const kept = new MsgpackDecoder();
    // Same length, first, middle and last byte: the same slot.
    const keys = ['abxa', 'acxa', 'abya', 'a\u00e9a'];
    for (let round = 0; round < 3; round++) {
      for (const k of keys) expect(kept.decode(encode({ [k]: 1 }))).toEqual({ [k]: 1 });
    }
  });

  it('refuses __proto__ and invalid UTF-8 in a key even after the key was cached', () => {
    const kept = new MsgpackDecoder();
    expect(kept.decode(encode({ __proto_x: 1 }))).toEqual({ __proto_x: 1 });
    const proto = Buffer.from(encode({ __proto_x: 1 }));
    proto[proto.indexOf('x')] = '_'.charCodeAt(0);
    expect(outcome(() => kept.decode(proto))).toMatchObject({ code: 'INVALID_KEY' });
    const bad = Buffer.from(encode({ ab: 1 }));
    bad[bad.indexOf('a')] = 0xff;
    expect(outcome(() => kept.decode(bad))).toMatchObject({ code: 'INVALID_UTF8' });
    expect(kept.decode(encode({ ab: 2 }))).toEqual({ ab: 2 });
  });

  it('decodeAt reads a sequence like the free decodeAt, and a Uint8Array like a Buffer', () => {
    const kept = new MsgpackDecoder();
    const bytes = new Uint8Array(Buffer.concat([encode({ key: 'vålue' }), encode(7)]));
    const first = decodeAt(bytes, 0);
    expect(kept.decodeAt(bytes, 0)).toEqual(first.value);
    expect(kept.end).toBe(first.end);
    expect(kept.decodeAt(bytes, kept.end)).toBe(7);
    expect(kept.end).toBe(bytes.length);
  });

  it('keeps limits per decoder and recovers after an error', () => {
    const kept = new MsgpackDecoder({ maxDepth: 2, maxItems: 10 });
    expect(() => kept.decode(encode([[[1]]]))).toThrow(MsgpackError);
    expect(() => kept.decode(encode(Array.from({ length: 11 }, () => 0)))).toThrow(MsgpackError);
    expect(kept.decode(encode([[1]]))).toEqual([[1]]);
  });
});
