import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Command, MAX_REQUEST_ID } from './constants.js';
import type { Packet } from './envelope.js';
import { FastReader, NOT_FAST } from './fast-reader.js';
import { DEFAULT_DECODE_LIMITS, MAX_DEADLINE_MS } from './limits.js';
import { msgpack } from './msgpack.js';

const reader = new FastReader();

import { toPacket } from './validate.js';

const uint = fc.oneof(
  { arbitrary: fc.integer({ min: 0, max: 127 }), weight: 4 },
  fc.constantFrom(
    0,
    1,
    127,
    128,
    255,
    256,
    65_535,
    65_536,
    MAX_DEADLINE_MS,
    MAX_DEADLINE_MS + 1,
    MAX_REQUEST_ID,
  ),
  fc.integer({ min: 0, max: MAX_REQUEST_ID }),
  fc.constantFrom(-1, 1.5, 2 ** 32, 2 ** 53),
);
const text = fc.oneof(
  { arbitrary: fc.string({ maxLength: 12 }), weight: 6 },
  fc.constantFrom(
    '',
    'a'.repeat(31),
    'a'.repeat(32),
    'b'.repeat(255),
    'c'.repeat(256),
    'é',
    '\u007f',
    '__proto__',
  ),
  fc.string({ unit: 'grapheme', maxLength: 4 }),
);
const optional = <T>(arb: fc.Arbitrary<T>) => fc.oneof(fc.constant(null), fc.constant(undefined), arb);
const meta = optional(
  fc.oneof(
    {
      arbitrary: fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 4 }),
      weight: 4,
    },
    fc.dictionary(text, text, { maxKeys: 4 }),
    fc.dictionary(fc.string({ maxLength: 3 }), fc.string({ maxLength: 3 }), { minKeys: 60, maxKeys: 70 }),
    fc.constant({ __proto__: 'x' } as unknown as Record<string, string>),
    fc.dictionary(text, fc.integer(), { maxKeys: 2 }),
  ),
);
const other: fc.Arbitrary<unknown> = fc.oneof(
  fc.boolean(),
  fc.double(),
  fc.array(fc.integer(), { maxLength: 2 }),
  fc.constant({ a: 1 }),
);
const bodyFrames = fc.oneof(
  { arbitrary: fc.integer({ min: 0, max: 3 }), weight: 8 },
  fc.constantFrom(200, -1),
);
/** Mostly a valid field, sometimes a value of another type. */
const mostly = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ arbitrary: arb, weight: 6 }, other);

// Envelopes in the shape the fast reader looks for, with every field varied
// over edge values and wrong types, some of them cut short or with a byte changed.
const requestEnvelope = fc.tuple(
  fc.constant(Command.REQUEST),
  bodyFrames,
  uint,
  mostly(text),
  uint,
  mostly(meta),
  mostly(optional(text)),
);
const replyEnvelope = fc.tuple(
  fc.constant(Command.REPLY),
  bodyFrames,
  uint,
  fc.oneof(fc.integer({ min: 0, max: 1000 }), uint),
  mostly(optional(text)),
  mostly(fc.constant(null)),
  mostly(meta),
  mostly(optional(text)),
);
const envelopeBytes = fc
  .tuple(fc.oneof(requestEnvelope, replyEnvelope), fc.nat(), fc.integer({ min: 0, max: 255 }), fc.nat(5))
  .map(([fields, at, byte, how]) => {
    const bytes = Buffer.from(msgpack.pack(fields));
    if (how === 1) bytes[at % bytes.length] = byte;
    if (how === 2) return bytes.subarray(0, at % bytes.length);
    return bytes;
  });

describe('FastReader.read', () => {
  it('accepts only what msgpackr and the reference validation accept, and reads the same packet (property)', () => {
    const body = [Buffer.from('b1'), Buffer.from('b2'), Buffer.from('b3')];
    // Small limits, so that some envelopes and bodies break them.
    const limits = { ...DEFAULT_DECODE_LIMITS, maxBodyBytes: 4, maxEnvelopeBytes: 200 };
    let accepted = 0;
    fc.assert(
      fc.property(envelopeBytes, (bytes) => {
        const frames = [bytes, ...body];
        const packets: Packet[] = [];
        const end = reader.read(bytes, 0, frames, 1, limits, packets);
        if (end === NOT_FAST) {
          expect(packets).toEqual([]);
          return;
        }
        accepted++;
        let env: unknown;
        let envEnd = 0;
        msgpack.unpackMultiple(bytes, (value: unknown, _from = 0, to = 0) => {
          env = value;
          envEnd = to;
          return false;
        });
        expect(end).toBe(envEnd);
        const fields = env as unknown[];
        const count = fields[1] as number;
        expect(packets).toEqual([toPacket(fields, frames.slice(1, 1 + count), limits)]);
      }),
      { seed: 7, numRuns: 20_000 },
    );
    // Not vacuous: a good share of the cases takes the fast path.
    expect(accepted).toBeGreaterThan(1000);
  });

  it('leaves envelopes of other commands, and longer envelopes, to msgpackr', () => {
    const frames = [Buffer.alloc(0)];
    const limits = DEFAULT_DECODE_LIMITS;
    const cancel = msgpack.pack([Command.CANCEL, 0, 7]);
    const longer = msgpack.pack([Command.REQUEST, 0, 7, 'a.b', 100, null, null, 'new field']);
    expect(reader.read(cancel, 0, frames, 1, limits, [])).toBe(NOT_FAST);
    expect(reader.read(longer, 0, frames, 1, limits, [])).toBe(NOT_FAST);
  });

  it('reads a typical request and reply', () => {
    const body = Buffer.from('x');
    const request = msgpack.pack([Command.REQUEST, 1, 9, 'echo.say', 1500, { caller: 'cli' }, null]);
    const packets: Packet[] = [];
    expect(reader.read(request, 0, [request, body], 1, DEFAULT_DECODE_LIMITS, packets)).toBe(request.length);
    expect(packets.pop()).toEqual({
      cmd: Command.REQUEST,
      id: 9,
      method: 'echo.say',
      deadlineMs: 1500,
      meta: { caller: 'cli' },
      contentType: undefined,
      body: [body],
    });
    const reply = msgpack.pack([Command.REPLY, 0, 9, 404, 'no such method', null, null, null]);
    expect(reader.read(reply, 0, [reply], 1, DEFAULT_DECODE_LIMITS, packets)).toBe(reply.length);
    expect(packets.pop()).toEqual({
      cmd: Command.REPLY,
      id: 9,
      status: 404,
      message: 'no such method',
      details: undefined,
      meta: undefined,
      contentType: undefined,
      body: [],
    });
  });
});
