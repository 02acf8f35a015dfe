import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Command,
  EVENT_SIGNATURE,
  MAX_REQUEST_ID,
  PROTOCOL_VERSION,
  RPC_SIGNATURE,
  Status,
} from './constants.js';
import type { Packet, ReplyPacket, RequestPacket } from './envelope.js';
import {
  appendReplyEnvelope,
  appendRequestEnvelope,
  DEFAULT_DECODE_LIMITS,
  type DecodeError,
  type DecodeLimits,
  decodeMessage,
  encodeMessage,
  encodePacket,
  FLAG_DRAINING,
} from './framing.js';
import { msgpack } from './msgpack.js';
import { EnvelopeFrame } from './pack-envelope.js';

const buf = (s: string) => Buffer.from(s);
const pack = (v: unknown) => msgpack.pack(v);

function request(overrides: Partial<RequestPacket> = {}): RequestPacket {
  return {
    cmd: Command.REQUEST,
    id: 7,
    method: 'echo.say',
    deadlineMs: 1000,
    meta: undefined,
    contentType: undefined,
    body: [],
    ...overrides,
  };
}

function reply(overrides: Partial<ReplyPacket> = {}): ReplyPacket {
  return {
    cmd: Command.REPLY,
    id: 7,
    status: Status.OK,
    message: undefined,
    details: undefined,
    meta: undefined,
    contentType: undefined,
    body: [],
    ...overrides,
  };
}

const heartbeat: Packet = { cmd: Command.HEARTBEAT, intervalMs: 50, liveness: 3, draining: false };

/** Decodes a message made of the signature and the given raw frames. */
function decodeRaw(frames: Buffer[], limits?: DecodeLimits) {
  return decodeMessage([RPC_SIGNATURE, ...frames], limits);
}

/**
 * A message in the batched layout from per-packet frame groups
 * `[envelope, ...body]`: the envelopes joined in frame 1, then every body frame.
 */
function batch(...groups: Buffer[][]): Buffer[] {
  return [RPC_SIGNATURE, Buffer.concat(groups.map((g) => g[0]!)), ...groups.flatMap((g) => g.slice(1))];
}

/** Decodes the batched message made of the given per-packet frame groups. */
function decodeBatch(groups: Buffer[][], limits?: DecodeLimits) {
  return decodeMessage(batch(...groups), limits);
}

/** Decodes one envelope (given as a JS array) with optional body frames; expects exactly one error. */
function errorOf(envelope: unknown[], body: Buffer[] = [], limits?: DecodeLimits): DecodeError {
  const { packets, errors } = decodeRaw([pack(envelope), ...body], limits);
  expect(packets).toEqual([]);
  expect(errors).toHaveLength(1);
  return errors[0]!;
}

function expectError(err: DecodeError, code: string, id: number, status: number, replyable = true): void {
  expect({ code: err.code, id: err.id, status: err.status, replyable: err.replyable }).toEqual({
    code,
    id,
    status,
    replyable,
  });
  expect(err.message).toEqual(expect.any(String));
}

describe('encodeMessage / decodeMessage round trip', () => {
  it('starts every message with the "CRR" + version signature', () => {
    expect(RPC_SIGNATURE).toEqual(Buffer.from([0x43, 0x52, 0x52, PROTOCOL_VERSION]));
    expect(encodeMessage([heartbeat])[0]).toBe(RPC_SIGNATURE);
  });

  it('round-trips a REQUEST with metadata, content type and a multi-frame body', () => {
    const body = [buf('part one'), Buffer.alloc(0), buf('part three')];
    const packet = request({
      id: MAX_REQUEST_ID,
      deadlineMs: 0x7fff_ffff,
      meta: { traceparent: '00-abc-def-01', caller: 'tests' },
      contentType: 'application/json',
      body,
    });
    const frames = encodeMessage([packet]);
    expect(frames).toHaveLength(2 + body.length);
    expect(msgpack.unpack(frames[1]!)).toEqual([
      Command.REQUEST,
      3,
      MAX_REQUEST_ID,
      'echo.say',
      0x7fff_ffff,
      packet.meta,
      'application/json',
    ]);
    const { packets, errors } = decodeMessage(frames);
    expect(errors).toEqual([]);
    expect(packets).toEqual([packet]);
    // Body frames travel untouched: the decoded body is the very same buffers.
    expect((packets[0] as RequestPacket).body[0]).toBe(frames[2]);
  });

  it('round-trips a REQUEST with an empty body and no deadline', () => {
    const packet = request({ body: [], deadlineMs: 0 });
    expect(encodePacket(packet)).toHaveLength(1);
    expect(decodeMessage(encodeMessage([packet]))).toEqual({ packets: [packet], errors: [] });
  });

  it('round-trips a REPLY with message, details, metadata and body', () => {
    const packet = reply({
      status: Status.NOT_FOUND,
      message: 'no such method',
      details: { code: 'X', list: [1, 'two', null], nested: { ok: true } },
      meta: { caller: 'svc' },
      contentType: 'application/octet-stream',
      body: [buf('a'), buf('b')],
    });
    expect(decodeMessage(encodeMessage([packet]))).toEqual({ packets: [packet], errors: [] });
  });

  it('round-trips a message-level REPLY (id 0) with an empty body', () => {
    const packet = reply({ id: 0, status: Status.UNSUPPORTED });
    expect(decodeMessage(encodeMessage([packet]))).toEqual({ packets: [packet], errors: [] });
  });

  it('round-trips CANCEL, HEARTBEAT (both flag states) and DISCONNECT (with and without reason)', () => {
    const packets: Packet[] = [
      { cmd: Command.CANCEL, id: 42 },
      { cmd: Command.HEARTBEAT, intervalMs: 1000, liveness: 3, draining: false },
      { cmd: Command.HEARTBEAT, intervalMs: 3_600_000, liveness: 1000, draining: true },
      { cmd: Command.DISCONNECT, reason: 'closed' },
      { cmd: Command.DISCONNECT, reason: undefined },
    ];
    for (const p of packets) {
      expect(decodeMessage(encodeMessage([p]))).toEqual({ packets: [p], errors: [] });
    }
    expect(msgpack.unpack(encodePacket(packets[2]!)[0]!)).toEqual([
      Command.HEARTBEAT,
      0,
      3_600_000,
      1000,
      FLAG_DRAINING,
    ]);
  });

  it('batches several packets, with and without bodies, into one message in order', () => {
    const packets: Packet[] = [
      request({ id: 1, body: [buf('x'), buf('y')] }),
      heartbeat,
      request({ id: 2, body: [] }),
      reply({ id: 3, body: [buf('z')] }),
      { cmd: Command.CANCEL, id: 1 },
      { cmd: Command.DISCONNECT, reason: 'bye' },
    ];
    const frames = encodeMessage(packets);
    // Signature, one envelopes frame, then the three body frames in packet order.
    expect(frames).toHaveLength(2 + 3);
    expect(frames.slice(2)).toEqual([buf('x'), buf('y'), buf('z')]);
    expect(frames[1]).toEqual(Buffer.concat(packets.map((p) => encodePacket(p)[0]!)));
    expect(decodeMessage(frames)).toEqual({ packets, errors: [] });
  });

  it('encodes a one-packet message as signature, envelope, body frames', () => {
    const packet = request({ id: 4, body: [buf('x')] });
    expect(encodeMessage([packet])).toEqual([RPC_SIGNATURE, ...encodePacket(packet)]);
  });

  it('round-trips arbitrary packets (property)', () => {
    const str = fc.string({ maxLength: 40 });
    // Not "__proto__" (which fast-check favours): the decoder refuses it
    // (see the "__proto__" test below).
    const key = str.filter((k) => k !== '__proto__');
    const meta = fc.option(fc.dictionary(key, str, { maxKeys: 5 }), { nil: undefined });
    const body = fc.array(
      fc.uint8Array({ maxLength: 32 }).map((a) => Buffer.from(a)),
      { maxLength: 4 },
    );
    const id = fc.integer({ min: 1, max: MAX_REQUEST_ID });
    const packet: fc.Arbitrary<Packet> = fc.oneof(
      fc.record({
        cmd: fc.constant(Command.REQUEST),
        id,
        method: fc.string({ minLength: 1, maxLength: 256 }),
        deadlineMs: fc.integer({ min: 0, max: 0x7fff_ffff }),
        meta,
        contentType: fc.option(str, { nil: undefined }),
        body,
      }),
      fc.record({
        cmd: fc.constant(Command.REPLY),
        id: fc.integer({ min: 0, max: MAX_REQUEST_ID }),
        status: fc.integer({ min: 0, max: 999 }),
        message: fc.option(str, { nil: undefined }),
        details: fc.option(fc.dictionary(key, fc.oneof(str, fc.integer(), fc.boolean())), { nil: undefined }),
        meta,
        contentType: fc.option(str, { nil: undefined }),
        body,
      }),
      fc.record({ cmd: fc.constant(Command.CANCEL), id }),
      fc.record({
        cmd: fc.constant(Command.HEARTBEAT),
        intervalMs: fc.integer({ min: 1, max: 3_600_000 }),
        liveness: fc.integer({ min: 1, max: 1000 }),
        draining: fc.boolean(),
      }),
      fc.record({ cmd: fc.constant(Command.DISCONNECT), reason: fc.option(str, { nil: undefined }) }),
    );
    fc.assert(
      fc.property(fc.array(packet, { minLength: 1, maxLength: 8 }), (packets) => {
        expect(decodeMessage(encodeMessage(packets))).toEqual({ packets, errors: [] });
      }),
      { seed: 20_240_601, numRuns: 300 },
    );
  });
});

describe('decodeMessage: whole-message errors', () => {
  it('reports NOT_COURIER, not replyable, when frame 0 is not the signature', () => {
    const cases: Buffer[][] = [
      [],
      [Buffer.alloc(0)],
      [buf('CRR')],
      [Buffer.concat([RPC_SIGNATURE, Buffer.from([0])])],
      [buf('CRX\x01'), pack([Command.HEARTBEAT, 0, 50, 3, 0])],
      [EVENT_SIGNATURE, pack([Command.HEARTBEAT, 0, 50, 3, 0])],
      [pack([Command.HEARTBEAT, 0, 50, 3, 0])],
    ];
    for (const frames of cases) {
      const { packets, errors } = decodeMessage(frames);
      expect(packets).toEqual([]);
      expect(errors).toHaveLength(1);
      expectError(errors[0]!, 'NOT_COURIER', 0, Status.BAD_REQUEST, false);
    }
  });

  it('reports UNSUPPORTED_VERSION for any other version byte, and decodes nothing', () => {
    for (const version of [0, 2, 255]) {
      const frames = [Buffer.from([0x43, 0x52, 0x52, version]), ...encodePacket(heartbeat)];
      const { packets, errors } = decodeMessage(frames);
      expect(packets).toEqual([]);
      expect(errors).toHaveLength(1);
      expectError(errors[0]!, 'UNSUPPORTED_VERSION', 0, Status.UNSUPPORTED);
      expect(errors[0]!.message).toContain(`version ${version}`);
    }
  });

  it('reports MALFORMED_ENVELOPE for a signature with no envelope', () => {
    const { packets, errors } = decodeMessage([RPC_SIGNATURE]);
    expect(packets).toEqual([]);
    expect(errors).toHaveLength(1);
    expectError(errors[0]!, 'MALFORMED_ENVELOPE', 0, Status.BAD_REQUEST);
  });

  it('reports MALFORMED_ENVELOPE for an envelope that is not MessagePack', () => {
    const notMsgpack = [
      Buffer.alloc(0),
      Buffer.from([0xc1]), // never used by MessagePack
      Buffer.from([0x93, 0x04, 0x00]), // array of 3, truncated
      Buffer.from([0xdd, 0xff, 0xff, 0xff, 0xff]), // array32 declaring 4G entries
      Buffer.from([0xdb, 0x7f, 0xff, 0xff, 0xff, 0x61]), // str32 declaring 2 GiB
      Buffer.from([0xc6, 0xff, 0xff, 0xff, 0xff]), // bin32 declaring 4 GiB
      Buffer.concat([pack([Command.CANCEL, 0, 5]), Buffer.from([0x01])]), // trailing bytes
      buf('{"json": true}'),
    ];
    for (const frame of notMsgpack) {
      const err = decodeRaw([frame]).errors;
      expect(err, frame.toString('hex')).toHaveLength(1);
      expectError(err[0]!, 'MALFORMED_ENVELOPE', 0, Status.BAD_REQUEST);
    }
  });

  it('reports MALFORMED_ENVELOPE for MessagePack that is not a [command, count, ...] array', () => {
    const envelopes: unknown[] = [
      null,
      5,
      'hello',
      { 0: 4, 1: 0 },
      [],
      [Command.CANCEL],
      [-1, 0, 5],
      [256, 0, 5],
      [1.5, 0, 5],
      ['1', 0, 5],
      [null, 0, 5],
      [Command.CANCEL, -1, 5],
      [Command.CANCEL, 0.5, 5],
      [Command.CANCEL, '0', 5],
      [Command.CANCEL, null, 5],
    ];
    for (const env of envelopes) {
      expectError(errorOf(env as unknown[]), 'MALFORMED_ENVELOPE', 0, Status.BAD_REQUEST);
    }
  });

  it('reports MALFORMED_ENVELOPE when the body frame count runs past the message', () => {
    const err = errorOf([Command.REQUEST, 2, 9, 'a.b', 100, null, null], [buf('only one')]);
    expectError(err, 'MALFORMED_ENVELOPE', 0, Status.BAD_REQUEST);
    const huge = errorOf([Command.REQUEST, MAX_REQUEST_ID, 9, 'a.b', 100, null, null]);
    expectError(huge, 'MALFORMED_ENVELOPE', 0, Status.BAD_REQUEST);
  });

  it('keeps the packets before a malformed envelope and stops there', () => {
    for (const bad of [Buffer.from([0xc1]), pack('not an array'), Buffer.from([0x93, 0x04])]) {
      const { packets, errors } = decodeBatch([
        encodePacket(request({ id: 1, body: [buf('b')] })),
        [bad],
        encodePacket(request({ id: 2 })),
      ]);
      expect(packets.map((p) => (p as RequestPacket).id)).toEqual([1]);
      expect(errors.map((e) => e.code)).toEqual(['MALFORMED_ENVELOPE']);
      expect(errors[0]!.message).toContain('envelope 2');
    }
  });

  it('reports MALFORMED_ENVELOPE when an envelope claims more body frames than are left', () => {
    const { packets, errors } = decodeBatch([
      encodePacket(request({ id: 1, body: [buf('a')] })),
      [pack([Command.REQUEST, 2, 2, 'a.b', 100, null, null]), buf('only one')],
      encodePacket(heartbeat),
    ]);
    expect(packets.map((p) => (p as RequestPacket).id)).toEqual([1]);
    expect(errors.map((e) => e.code)).toEqual(['MALFORMED_ENVELOPE']);
  });

  it('reports MALFORMED_ENVELOPE for body frames no envelope claims, after the packets', () => {
    const frames = [...encodeMessage([request({ id: 1, body: [buf('a')] })]), buf('stray')];
    const { packets, errors } = decodeMessage(frames);
    expect(packets.map((p) => (p as RequestPacket).id)).toEqual([1]);
    expect(errors).toHaveLength(1);
    expectError(errors[0]!, 'MALFORMED_ENVELOPE', 0, Status.BAD_REQUEST);
  });

  it('reports TOO_LARGE (413) for an envelope over maxEnvelopeBytes, and stops there', () => {
    const limits = { ...DEFAULT_DECODE_LIMITS, maxEnvelopeBytes: 40 };
    const small = encodePacket({ cmd: Command.CANCEL, id: 1 });
    const big = encodePacket(request({ id: 2, method: 'm'.repeat(50) }));
    const { packets, errors } = decodeBatch([small, big, small], limits);
    expect(packets).toEqual([{ cmd: Command.CANCEL, id: 1 }]);
    expect(errors).toHaveLength(1);
    expectError(errors[0]!, 'TOO_LARGE', 0, Status.TOO_LARGE);
  });

  it('reports TOO_MANY_PACKETS past maxPacketsPerMessage, counting failed packets too', () => {
    const limits = { ...DEFAULT_DECODE_LIMITS, maxPacketsPerMessage: 2 };
    const hb = encodePacket(heartbeat);
    const ok = decodeBatch([hb, hb], limits);
    expect(ok).toEqual({ packets: [heartbeat, heartbeat], errors: [] });

    const over = decodeBatch([hb, hb, hb], limits);
    expect(over.packets).toEqual([heartbeat, heartbeat]);
    expect(over.errors).toHaveLength(1);
    expectError(over.errors[0]!, 'TOO_MANY_PACKETS', 0, Status.BAD_REQUEST);

    const badFirst = decodeBatch([[pack([Command.CANCEL, 0, 0])], hb, hb], limits);
    expect(badFirst.packets).toEqual([heartbeat]);
    expect(badFirst.errors.map((e) => e.code)).toEqual(['INVALID_FIELD', 'TOO_MANY_PACKETS']);
  });

  it('has the documented default limits', () => {
    expect(DEFAULT_DECODE_LIMITS).toEqual({
      maxEnvelopeBytes: 64 * 1024,
      maxBodyBytes: 16 * 1024 * 1024,
      maxPacketsPerMessage: 4096,
    });
  });
});

describe('decodeMessage: invalid fields', () => {
  const long = 'x'.repeat(1025);
  const manyEntries = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v']));
  const badMeta: unknown[] = [
    5,
    'traceparent=x',
    true,
    ['a', 'b'],
    Buffer.from('x'),
    { caller: 5 },
    { caller: null },
    { caller: { nested: 'x' } },
    { caller: long },
    { [long]: 'v' },
    manyEntries,
  ];
  const badString: unknown[] = [5, true, ['x'], { a: 'b' }, Buffer.from('x'), long];

  describe('REQUEST [1, n, id, method, deadline_ms, meta, content_type]', () => {
    const env = (over: Record<number, unknown>) => {
      const e: unknown[] = [Command.REQUEST, 0, 9, 'svc.method', 1000, null, null];
      for (const [k, v] of Object.entries(over)) e[Number(k)] = v;
      return e;
    };

    it('id: 0, negative, fractional, over 2^32-1, not a number, missing -> message-level error', () => {
      for (const id of [0, -1, 1.5, MAX_REQUEST_ID + 1, '9', null]) {
        const err = errorOf(env({ 2: id }));
        expectError(err, 'INVALID_FIELD', 0, Status.BAD_REQUEST);
        expect(err.message).toContain('"id"');
      }
    });

    it('method: empty, over 256 chars, not a string, missing -> error for that id', () => {
      for (const method of ['', 'm'.repeat(257), 5, null, ['a']]) {
        const err = errorOf(env({ 3: method }));
        expectError(err, 'INVALID_FIELD', 9, Status.BAD_REQUEST);
        expect(err.message).toContain('"method"');
      }
      expect(decodeRaw([pack(env({ 3: 'm'.repeat(256) }))]).errors).toEqual([]);
      expectError(errorOf([Command.REQUEST, 0, 9]), 'INVALID_FIELD', 9, Status.BAD_REQUEST);
    });

    it('deadline_ms: negative, fractional, over 2^31-1, not a number, missing', () => {
      for (const deadline of [-1, 0.5, 0x8000_0000, '100', null]) {
        const err = errorOf(env({ 4: deadline }));
        expectError(err, 'INVALID_FIELD', 9, Status.BAD_REQUEST);
        expect(err.message).toContain('"deadline_ms"');
      }
    });

    it('meta: not a string map, too many entries, too long key or value', () => {
      for (const meta of badMeta) {
        const err = errorOf(env({ 5: meta }));
        expectError(err, 'INVALID_FIELD', 9, Status.BAD_REQUEST);
        expect(err.message).toContain('"meta"');
      }
      const maxEntries = Object.fromEntries(Array.from({ length: 64 }, (_, i) => [`k${i}`, 'v']));
      const maxLengths = { ['k'.repeat(1024)]: 'v'.repeat(1024) };
      for (const meta of [maxEntries, maxLengths, {}]) {
        const { packets, errors } = decodeRaw([pack(env({ 5: meta }))]);
        expect(errors).toEqual([]);
        expect((packets[0] as RequestPacket).meta).toEqual(meta);
      }
    });

    it('meta: a "__proto__" key is refused (never renamed, never a prototype)', () => {
      // fixmap(1) { "__proto__": "polluted" }, built by hand: JS object literals cannot carry that key.
      const meta = Buffer.concat([
        Buffer.from([0x81, 0xa9]),
        buf('__proto__'),
        Buffer.from([0xa8]),
        buf('polluted'),
      ]);
      const envelope = Buffer.concat([pack([Command.REQUEST, 0, 9, 'svc.method', 1000]), meta]);
      // Patch the array header from 5 to 6 entries so meta is its sixth element.
      envelope[0] = 0x96;
      // Refused as a field of that request, so the caller gets a 400 with its id.
      const { packets, errors } = decodeRaw([envelope]);
      expect(packets).toEqual([]);
      expectError(errors[0]!, 'INVALID_FIELD', 9, Status.BAD_REQUEST);
      expect(errors[0]!.message).toContain('"meta"');
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it('content_type: not a string, too long', () => {
      for (const ct of badString) {
        const err = errorOf(env({ 6: ct }));
        expectError(err, 'INVALID_FIELD', 9, Status.BAD_REQUEST);
        expect(err.message).toContain('"content_type"');
      }
    });

    it('body over maxBodyBytes -> TOO_LARGE (413) for that id, and decoding continues', () => {
      const limits = { ...DEFAULT_DECODE_LIMITS, maxBodyBytes: 10 };
      const { packets, errors } = decodeBatch(
        [
          [pack(env({ 1: 2 })), Buffer.alloc(6), Buffer.alloc(5)],
          encodePacket(request({ id: 10, body: [Buffer.alloc(10)] })),
        ],
        limits,
      );
      expect(errors).toHaveLength(1);
      expectError(errors[0]!, 'TOO_LARGE', 9, Status.TOO_LARGE);
      expect(packets.map((p) => (p as RequestPacket).id)).toEqual([10]);
    });

    it('ignores extra trailing envelope fields (forward compatibility)', () => {
      const { packets, errors } = decodeRaw([pack([...env({}), 'future', 1])]);
      expect(errors).toEqual([]);
      expect(packets).toEqual([request({ id: 9, method: 'svc.method' })]);
    });
  });

  describe('REPLY [2, n, id, status, message, details, meta, content_type]', () => {
    const env = (over: Record<number, unknown>) => {
      const e: unknown[] = [Command.REPLY, 0, 9, 200, null, null, null, null];
      for (const [k, v] of Object.entries(over)) e[Number(k)] = v;
      return e;
    };

    it('id: negative, fractional, too big, not a number -> message-level error', () => {
      for (const id of [-1, 2.5, MAX_REQUEST_ID + 1, 'x', null]) {
        expectError(errorOf(env({ 2: id })), 'INVALID_FIELD', 0, Status.BAD_REQUEST);
      }
    });

    it('status: negative, over 999, fractional, not a number', () => {
      for (const status of [-1, 1000, 200.5, '200', null]) {
        const err = errorOf(env({ 3: status }));
        expectError(err, 'INVALID_FIELD', 9, Status.BAD_REQUEST);
        expect(err.message).toContain('"status"');
      }
    });

    it('message, meta and content_type', () => {
      for (const message of badString) {
        expect(errorOf(env({ 4: message })).message).toContain('"message"');
      }
      for (const meta of badMeta) {
        const err = errorOf(env({ 6: meta }));
        expectError(err, 'INVALID_FIELD', 9, Status.BAD_REQUEST);
        expect(err.message).toContain('"meta"');
      }
      for (const ct of badString) {
        expect(errorOf(env({ 7: ct })).message).toContain('"content_type"');
      }
    });

    it('accepts any details value', () => {
      for (const details of [1, 'x', [1, 2], { a: { b: [null] } }, true]) {
        const { packets, errors } = decodeRaw([pack(env({ 5: details }))]);
        expect(errors).toEqual([]);
        expect((packets[0] as ReplyPacket).details).toEqual(details);
      }
    });

    it('body over maxBodyBytes -> TOO_LARGE (413) for that id', () => {
      const limits = { ...DEFAULT_DECODE_LIMITS, maxBodyBytes: 3 };
      const err = errorOf(env({ 1: 1 }), [Buffer.alloc(4)], limits);
      expectError(err, 'TOO_LARGE', 9, Status.TOO_LARGE);
    });
  });

  describe('CANCEL [3, 0, id]', () => {
    it('id: 0, negative, too big, not a number, missing', () => {
      for (const id of [0, -3, MAX_REQUEST_ID + 1, 'x', null]) {
        expectError(errorOf([Command.CANCEL, 0, id]), 'INVALID_FIELD', 0, Status.BAD_REQUEST);
      }
      expectError(errorOf([Command.CANCEL, 0]), 'INVALID_FIELD', 0, Status.BAD_REQUEST);
    });
  });

  describe('HEARTBEAT [4, 0, interval_ms, liveness, flags]', () => {
    it('interval_ms: 0, over one hour, fractional, not a number', () => {
      for (const interval of [0, 3_600_001, 1.5, '50', null]) {
        const err = errorOf([Command.HEARTBEAT, 0, interval, 3, 0]);
        expectError(err, 'INVALID_FIELD', 0, Status.BAD_REQUEST);
        expect(err.message).toContain('"interval_ms"');
      }
    });

    it('liveness: 0, over 1000, not a number; the error is message-level even though interval_ms looks like an id', () => {
      for (const liveness of [0, 1001, 2.5, '3', null]) {
        const err = errorOf([Command.HEARTBEAT, 0, 50, liveness, 0]);
        expectError(err, 'INVALID_FIELD', 0, Status.BAD_REQUEST);
        expect(err.message).toContain('"liveness"');
      }
    });

    it('flags: negative, over 32 bits, not a number; nil and unknown bits are fine', () => {
      for (const flags of [-1, 2 ** 32, 'x', 1.5]) {
        expect(errorOf([Command.HEARTBEAT, 0, 50, 3, flags]).message).toContain('"flags"');
      }
      const ok = decodeBatch([
        [pack([Command.HEARTBEAT, 0, 50, 3, null])],
        [pack([Command.HEARTBEAT, 0, 50, 3])],
        [pack([Command.HEARTBEAT, 0, 50, 3, 0b110])],
        [pack([Command.HEARTBEAT, 0, 50, 3, 0b111])],
      ]);
      expect(ok.errors).toEqual([]);
      expect(ok.packets.map((p) => (p as { draining: boolean }).draining)).toEqual([
        false,
        false,
        false,
        true,
      ]);
    });
  });

  describe('DISCONNECT [5, 0, reason]', () => {
    it('reason: not a string, too long', () => {
      for (const reason of badString) {
        const err = errorOf([Command.DISCONNECT, 0, reason]);
        expectError(err, 'INVALID_FIELD', 0, Status.BAD_REQUEST);
        expect(err.message).toContain('"reason"');
      }
    });
  });

  describe('unknown commands', () => {
    it('replies to the id at position 2 when it is readable', () => {
      for (const cmd of [0, 6, 7, 255]) {
        const err = errorOf([cmd, 0, 77, 'whatever']);
        expectError(err, 'UNKNOWN_COMMAND', 77, Status.UNSUPPORTED);
        expect(err.message).toContain(`unknown command ${cmd}`);
      }
    });

    it('falls back to a message-level error without a readable id', () => {
      for (const env of [
        [9, 0],
        [9, 0, 'x'],
        [9, 0, -1],
        [9, 0, MAX_REQUEST_ID + 1],
      ]) {
        expectError(errorOf(env), 'UNKNOWN_COMMAND', 0, Status.UNSUPPORTED);
      }
    });

    it('names the command of a packet-level error, and none for a message-level one', () => {
      expect(errorOf([Command.REPLY, 0, 9, 1000]).command).toBe(Command.REPLY);
      expect(errorOf([Command.REQUEST, 0, 9, '']).command).toBe(Command.REQUEST);
      expect(errorOf([9, 0, 77]).command).toBe(9);
      const limits = { ...DEFAULT_DECODE_LIMITS, maxBodyBytes: 3 };
      expect(errorOf([Command.REPLY, 1, 9, 200], [Buffer.alloc(4)], limits).command).toBe(Command.REPLY);
      expect(errorOf(['not a command']).command).toBeUndefined();
      expect(decodeMessage([Buffer.from('CRR\x09', 'latin1')]).errors[0]!.command).toBeUndefined();
    });

    it('skips the unknown packet and its body frames, then decodes the rest', () => {
      const { packets, errors } = decodeBatch([
        [pack([9, 2, 5]), buf('b1'), buf('b2')],
        encodePacket(heartbeat),
      ]);
      expect(packets).toEqual([heartbeat]);
      expect(errors.map((e) => [e.code, e.id])).toEqual([['UNKNOWN_COMMAND', 5]]);
    });
  });

  it('reports one error per bad packet and still returns the good ones', () => {
    const { packets, errors } = decodeBatch([
      [pack([Command.REQUEST, 0, 1, '', 100, null, null])],
      encodePacket(request({ id: 2 })),
      [pack([Command.CANCEL, 0, 0])],
      encodePacket({ cmd: Command.CANCEL, id: 2 }),
    ]);
    expect(packets).toEqual([request({ id: 2 }), { cmd: Command.CANCEL, id: 2 }]);
    expect(errors.map((e) => [e.code, e.id])).toEqual([
      ['INVALID_FIELD', 1],
      ['INVALID_FIELD', 0],
    ]);
  });

  it('never throws, whatever the frames (property)', () => {
    const frame = fc.uint8Array({ maxLength: 48 }).map((a) => Buffer.from(a));
    fc.assert(
      fc.property(fc.array(frame, { maxLength: 6 }), fc.boolean(), (frames, signed) => {
        const result = decodeMessage(signed ? [RPC_SIGNATURE, ...frames] : frames);
        expect(result.packets.length + result.errors.length).toBeGreaterThanOrEqual(0);
      }),
      { seed: 7, numRuns: 2000 },
    );
  });
});

describe('appendRequestEnvelope / appendReplyEnvelope', () => {
  const uint = fc.oneof(
    fc.integer({ min: 0, max: 0xffff_ffff }),
    fc.constantFrom(0, 127, 128, 255, 256, 65_535, 65_536, 0xffff_ffff, 2 ** 32, -1, 1.5),
  );
  const text = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'grapheme', maxLength: 6 }),
    fc.constantFrom('', 'a'.repeat(31), 'a'.repeat(32), 'é'),
  );
  const meta = fc.option(
    fc.oneof(
      fc.dictionary(text, text, { maxKeys: 4 }),
      fc.dictionary(fc.string({ maxLength: 2 }), fc.string({ maxLength: 2 }), { minKeys: 14, maxKeys: 17 }),
    ),
    { nil: undefined },
  );
  const details = fc.option(fc.oneof(fc.jsonValue(), fc.constant(null)), { nil: undefined });

  it('write exactly the bytes msgpack.pack writes for the envelope array, after what is already there (property)', () => {
    fc.assert(
      fc.property(
        fc.tuple(uint, uint, text, uint, meta, fc.option(text, { nil: undefined })),
        fc.tuple(
          uint,
          uint,
          uint,
          fc.option(text, { nil: undefined }),
          details,
          meta,
          fc.option(text, { nil: undefined }),
        ),
        ([frames, id, method, deadline, m, ct], [rFrames, rId, status, message, d, rm, rct]) => {
          const out = new EnvelopeFrame(8);
          out.append(Buffer.from('prefix'));
          appendRequestEnvelope(out, frames, id, method, deadline, m, ct);
          appendReplyEnvelope(out, rFrames, rId, status, message, d, rm, rct);
          const expected = Buffer.concat([
            Buffer.from('prefix'),
            msgpack.pack([Command.REQUEST, frames, id, method, deadline, m ?? null, ct ?? null]),
            msgpack.pack([
              Command.REPLY,
              rFrames,
              rId,
              status,
              message ?? null,
              d ?? null,
              rm ?? null,
              rct ?? null,
            ]),
          ]);
          expect(out.bytes().toString('hex')).toBe(expected.toString('hex'));
        },
      ),
      { seed: 5, numRuns: 3000 },
    );
  });
});
