import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { msgpack } from './msgpack.js';
import { appendEnvelope, EnvelopeFrame } from './pack-envelope.js';

/** One envelope (a short array) in a frame of its own, as the writer appends it. */
function packEnvelope(values: readonly unknown[]): Buffer {
  const frame = new EnvelopeFrame(64);
  appendEnvelope(frame, values);
  return frame.bytes();
}

const hex = (b: Buffer) => b.toString('hex');

describe('packEnvelope', () => {
  it('writes exactly the bytes msgpack.pack writes, on and off the fast path (property)', () => {
    const value = fc.oneof(
      fc.constant(null),
      fc.constant(undefined),
      fc.integer({ min: 0, max: 0xffff_ffff }),
      fc.constantFrom(0, 127, 128, 255, 256, 65_535, 65_536, 0xffff_ffff, 2 ** 32, -1, -0, 1.5, 2 ** 53),
      fc.integer(),
      fc.double(),
      fc.string({ maxLength: 40 }),
      fc.string({ unit: 'grapheme', maxLength: 8 }),
      fc.constantFrom('', 'a'.repeat(31), 'a'.repeat(32), 'é', '\u007f', '\u0080'),
      fc.boolean(),
      fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
      fc.array(fc.integer(), { maxLength: 3 }),
    );
    fc.assert(
      fc.property(fc.array(value, { maxLength: 17 }), (values) => {
        expect(hex(packEnvelope(values))).toBe(hex(msgpack.pack(values)));
      }),
      { seed: 11, numRuns: 5000 },
    );
  });

  it('writes a typical REQUEST and REPLY envelope on the fast path', () => {
    const request = [1, 1, 7, 'echo.say', 1500, undefined, null];
    expect(hex(packEnvelope(request))).toBe('970101 07 a8 6563686f2e736179 cd05dc c0 c0'.replaceAll(' ', ''));
    expect(hex(packEnvelope([2, 1, 1, 200, null, null, null, null]))).toBe('98020101ccc8c0c0c0c0');
  });
});
