import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Command, EVENT_SIGNATURE, RPC_SIGNATURE } from './constants.js';
import type { EventPacket } from './envelope.js';
import { decodeEvent, encodeEvent } from './events.js';
import { msgpack } from './msgpack.js';

const event: EventPacket = {
  topic: 'playlist.created',
  seq: 7,
  timestampMs: 1_700_000_000_123,
  meta: { traceparent: '00-abc-def-01' },
  contentType: undefined,
  body: [msgpack.pack({ id: 'p1' })],
};

function envelope(...fields: unknown[]): Buffer {
  return msgpack.pack(fields);
}

describe('encodeEvent', () => {
  it('lays out topic, signature, envelope and body frames', () => {
    const frames = encodeEvent(event);
    expect(frames[0]!.toString('utf8')).toBe('playlist.created');
    expect(frames[1]).toEqual(Buffer.from('CRE\x01', 'latin1'));
    expect(msgpack.unpack(frames[2]!)).toEqual([
      Command.EVENT,
      1,
      7,
      1_700_000_000_123,
      { traceparent: '00-abc-def-01' },
      null,
    ]);
    expect(frames[3]).toBe(event.body[0]);
    expect(frames).toHaveLength(4);
  });
});

describe('decodeEvent', () => {
  it('round-trips any event', () => {
    const arbEvent = fc.record({
      topic: fc.string({ minLength: 1, maxLength: 60 }).filter((t) => Buffer.byteLength(t) <= 256),
      seq: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
      timestampMs: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
      // Not "__proto__" (which fast-check favours): the decoder keeps it as an
      // ordinary entry under another key, see framing.test.ts.
      meta: fc.option(
        fc.dictionary(
          fc.string().filter((k) => k !== '__proto__'),
          fc.string(),
          { maxKeys: 5 },
        ),
        { nil: undefined },
      ),
      contentType: fc.option(fc.constantFrom('application/json', 'application/octet-stream'), {
        nil: undefined,
      }),
      body: fc.array(
        fc.uint8Array({ maxLength: 32 }).map((a) => Buffer.from(a)),
        { maxLength: 4 },
      ),
    });
    fc.assert(
      fc.property(arbEvent, (e) => {
        expect(decodeEvent(encodeEvent(e))).toEqual({ event: e });
      }),
    );
  });

  it.each([
    ['no signature frame', [Buffer.from('a.b')], 'NOT_COURIER'],
    ['the request/reply signature', [Buffer.from('a.b'), RPC_SIGNATURE, envelope(6, 0, 1, 0)], 'NOT_COURIER'],
    [
      'another version',
      [Buffer.from('a.b'), Buffer.from('CRE\x02', 'latin1'), envelope(6, 0, 1, 0)],
      'UNSUPPORTED_VERSION',
    ],
    ['an empty topic', [Buffer.alloc(0), EVENT_SIGNATURE, envelope(6, 0, 1, 0)], 'INVALID_FIELD'],
    [
      'a topic over 256 bytes',
      [Buffer.alloc(257, 0x61), EVENT_SIGNATURE, envelope(6, 0, 1, 0)],
      'INVALID_FIELD',
    ],
    ['no envelope', [Buffer.from('a.b'), EVENT_SIGNATURE], 'MALFORMED_ENVELOPE'],
    [
      'an envelope that is not MessagePack',
      [Buffer.from('a.b'), EVENT_SIGNATURE, Buffer.from([0xc1])],
      'MALFORMED_ENVELOPE',
    ],
    [
      'an envelope that is not an array',
      [Buffer.from('a.b'), EVENT_SIGNATURE, msgpack.pack({ a: 1 })],
      'MALFORMED_ENVELOPE',
    ],
    [
      'too few body frames',
      [Buffer.from('a.b'), EVENT_SIGNATURE, envelope(6, 2, 1, 0), Buffer.from('x')],
      'MALFORMED_ENVELOPE',
    ],
    [
      'too many body frames',
      [Buffer.from('a.b'), EVENT_SIGNATURE, envelope(6, 0, 1, 0), Buffer.from('x')],
      'MALFORMED_ENVELOPE',
    ],
    [
      'a request command',
      [Buffer.from('a.b'), EVENT_SIGNATURE, envelope(Command.REQUEST, 0, 1, 0)],
      'UNKNOWN_COMMAND',
    ],
    ['seq 0', [Buffer.from('a.b'), EVENT_SIGNATURE, envelope(6, 0, 0, 0)], 'INVALID_FIELD'],
    ['a negative seq', [Buffer.from('a.b'), EVENT_SIGNATURE, envelope(6, 0, -1, 0)], 'INVALID_FIELD'],
    ['a string seq', [Buffer.from('a.b'), EVENT_SIGNATURE, envelope(6, 0, '1', 0)], 'INVALID_FIELD'],
    [
      'a fractional timestamp',
      [Buffer.from('a.b'), EVENT_SIGNATURE, envelope(6, 0, 1, 1.5)],
      'INVALID_FIELD',
    ],
    [
      'non-string metadata',
      [Buffer.from('a.b'), EVENT_SIGNATURE, envelope(6, 0, 1, 0, { a: 1 })],
      'INVALID_FIELD',
    ],
    ['array metadata', [Buffer.from('a.b'), EVENT_SIGNATURE, envelope(6, 0, 1, 0, ['a'])], 'INVALID_FIELD'],
    [
      'a numeric content type',
      [Buffer.from('a.b'), EVENT_SIGNATURE, envelope(6, 0, 1, 0, null, 5)],
      'INVALID_FIELD',
    ],
  ] as const)('rejects %s', (_, frames, code) => {
    const result = decodeEvent(frames as unknown as Buffer[]);
    expect(result.event).toBeUndefined();
    expect(result.error?.code).toBe(code);
  });

  it('rejects envelopes and bodies over the limits', () => {
    const limits = { maxEnvelopeBytes: 64, maxBodyBytes: 8 };
    const big = encodeEvent({ ...event, meta: { k: 'v'.repeat(100) } });
    expect(decodeEvent(big, limits).error?.code).toBe('TOO_LARGE');
    const fat = encodeEvent({ ...event, meta: undefined, body: [Buffer.alloc(5), Buffer.alloc(5)] });
    expect(decodeEvent(fat, limits).error?.code).toBe('TOO_LARGE');
  });

  it('accepts nil and missing optional fields', () => {
    const frames = [Buffer.from('a.b'), EVENT_SIGNATURE, envelope(6, 0, 1, 0)];
    expect(decodeEvent(frames).event).toEqual({
      topic: 'a.b',
      seq: 1,
      timestampMs: 0,
      meta: undefined,
      contentType: undefined,
      body: [],
    });
  });

  it('never throws, whatever the frames', () => {
    const frame = fc.oneof(
      fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)),
      fc.constant(EVENT_SIGNATURE),
      fc.anything().map((v) => msgpack.pack(v)),
      fc
        .array(fc.oneof(fc.integer(), fc.string(), fc.constant(null), fc.object()))
        .map((a) => msgpack.pack([6, ...a])),
    );
    fc.assert(
      fc.property(fc.array(frame, { maxLength: 6 }), (frames) => {
        const result = decodeEvent(frames);
        expect((result.event === undefined) !== (result.error === undefined)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
