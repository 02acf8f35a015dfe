import fc from 'fast-check';
import {
  Command,
  encodeMessage,
  msgpack,
  type Packet,
  RPC_SIGNATURE,
} from '../../packages/transport/src/index.js';
import { MAX_REQUEST_ID } from '../../packages/transport/src/protocol/constants.js';

/**
 * fast-check arbitraries for the transport fuzz tests: valid Courier
 * messages, and every way of breaking one (random frames, flipped bytes,
 * truncation, wrong counts, huge declared lengths, random MessagePack
 * envelopes, unknown commands, other versions). A message is the frame list
 * after any ROUTER routing frame.
 */

const bytes = (maxLength: number) => fc.uint8Array({ maxLength }).map((a) => Buffer.from(a));
const text = fc.string({ maxLength: 24 });
const meta = fc.option(fc.dictionary(text, text, { maxKeys: 4 }), { nil: undefined });
const body = fc.array(bytes(48), { maxLength: 3 });

export const packetArb: fc.Arbitrary<Packet> = fc.oneof(
  fc.record({
    cmd: fc.constant(Command.REQUEST),
    id: fc.integer({ min: 1, max: MAX_REQUEST_ID }),
    method: fc.string({ minLength: 1, maxLength: 32 }),
    deadlineMs: fc.integer({ min: 0, max: 60_000 }),
    meta,
    contentType: fc.option(text, { nil: undefined }),
    body,
  }),
  fc.record({
    cmd: fc.constant(Command.REPLY),
    id: fc.integer({ min: 0, max: MAX_REQUEST_ID }),
    status: fc.integer({ min: 0, max: 999 }),
    message: fc.option(text, { nil: undefined }),
    details: fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined }),
    meta,
    contentType: fc.option(text, { nil: undefined }),
    body,
  }),
  fc.record({ cmd: fc.constant(Command.CANCEL), id: fc.integer({ min: 1, max: MAX_REQUEST_ID }) }),
  fc.record({
    cmd: fc.constant(Command.HEARTBEAT),
    intervalMs: fc.integer({ min: 1, max: 3_600_000 }),
    liveness: fc.integer({ min: 1, max: 1000 }),
    draining: fc.boolean(),
  }),
  fc.record({ cmd: fc.constant(Command.DISCONNECT), reason: fc.option(text, { nil: undefined }) }),
);

export const validMessageArb: fc.Arbitrary<Buffer[]> = fc
  .array(packetArb, { minLength: 1, maxLength: 12 })
  .map((packets) => encodeMessage(packets));

function tryPack(value: unknown): Buffer {
  try {
    return msgpack.pack(value);
  } catch {
    return Buffer.from([0xc1]);
  }
}

/** One change to a message's frames; `at` picks the frame (and byte) modulo the sizes found. */
const mutationArb = fc.oneof(
  fc.record({
    kind: fc.constant('flip' as const),
    at: fc.nat(),
    byte: fc.nat(),
    xor: fc.integer({ min: 1, max: 255 }),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat(), keep: fc.nat() }),
  fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), frame: bytes(32) }),
  fc.record({ kind: fc.constant('empty' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('count' as const),
    at: fc.nat(),
    count: fc.integer({ min: -2, max: 2 ** 32 }),
  }),
  fc.record({
    kind: fc.constant('hugeLength' as const),
    at: fc.nat(),
    // array32, map32, str32, bin32, ext32 headers declaring up to 4 GiB.
    header: fc.constantFrom(0xdd, 0xdf, 0xdb, 0xc6, 0xc9),
    length: fc.integer({ min: 0x1000, max: 0xffff_ffff }),
  }),
  fc.record({ kind: fc.constant('version' as const), version: fc.integer({ min: 0, max: 255 }) }),
  fc.record({
    kind: fc.constant('field' as const),
    at: fc.nat(),
    field: fc.integer({ min: 2, max: 8 }),
    value: fc.anything({ maxDepth: 1 }),
  }),
);
type Mutation = typeof mutationArb extends fc.Arbitrary<infer M> ? M : never;

function mutate(frames: Buffer[], m: Mutation): Buffer[] {
  const out: Buffer[] = frames.map((f) => Buffer.from(f));
  const i = 'at' in m ? m.at % out.length : 0;
  const frame = out[i]!;
  switch (m.kind) {
    case 'flip':
      if (frame.length > 0) frame[m.byte % frame.length]! ^= m.xor;
      break;
    case 'truncate':
      out[i] = frame.subarray(0, frame.length === 0 ? 0 : m.keep % frame.length);
      break;
    case 'drop':
      if (out.length > 1) out.splice(i, 1);
      break;
    case 'duplicate':
      out.splice(i, 0, Buffer.from(frame));
      break;
    case 'insert':
      out.splice(i, 0, m.frame);
      break;
    case 'empty':
      out[i] = Buffer.alloc(0);
      break;
    case 'count':
    case 'field': {
      // Re-pack an envelope with one field replaced (position 1 is the body frame count).
      let env: unknown;
      try {
        env = msgpack.unpack(frame);
      } catch {
        break;
      }
      if (!Array.isArray(env)) break;
      if (m.kind === 'count') env[1] = m.count;
      else env[m.field] = m.value;
      out[i] = tryPack(env);
      break;
    }
    case 'hugeLength': {
      const header = Buffer.alloc(5);
      header[0] = m.header;
      header.writeUInt32BE(m.length, 1);
      out[i] = Buffer.concat([header, frame.subarray(0, 16)]);
      break;
    }
    case 'version':
      out[0] = Buffer.from([0x43, 0x52, 0x52, m.version]);
      break;
  }
  return out;
}

/** A valid message with one to three mutations. */
export const mutatedMessageArb: fc.Arbitrary<Buffer[]> = fc
  .tuple(validMessageArb, fc.array(mutationArb, { minLength: 1, maxLength: 3 }))
  .map(([frames, mutations]) => mutations.reduce(mutate, frames));

/** One random envelope: any MessagePack value, a plausible array, or raw bytes. */
const randomEnvelope = fc.oneof(
  fc.anything({ maxDepth: 2 }).map(tryPack),
  // Plausible arrays: a command (known or not), a small count, then anything.
  fc
    .tuple(
      fc.integer({ min: 0, max: 300 }),
      fc.integer({ min: -1, max: 3 }),
      fc.array(fc.anything({ maxDepth: 1 }), { maxLength: 7 }),
    )
    .map(([cmd, count, rest]) => tryPack([cmd, count, ...rest])),
  bytes(24),
);

/**
 * A signature followed by random envelopes, either back to back in the
 * envelopes frame (then random body frames), or one per frame.
 */
export const randomEnvelopeArb: fc.Arbitrary<Buffer[]> = fc.oneof(
  fc
    .tuple(fc.array(randomEnvelope, { minLength: 1, maxLength: 6 }), fc.array(bytes(24), { maxLength: 4 }))
    .map(([envelopes, bodies]) => [RPC_SIGNATURE, Buffer.concat(envelopes), ...bodies]),
  fc.array(randomEnvelope, { minLength: 1, maxLength: 6 }).map((frames) => [RPC_SIGNATURE, ...frames]),
);

/** Unknown commands with and without a usable id at position 2. */
export const unknownCommandArb: fc.Arbitrary<Buffer[]> = fc
  .tuple(
    fc.integer({ min: 6, max: 255 }),
    fc.oneof(fc.integer({ min: 0, max: MAX_REQUEST_ID }), fc.constant('x')),
  )
  .map(([cmd, id]) => [RPC_SIGNATURE, tryPack([cmd, 0, id])]);

/** Random frames, with or without a signature in front. */
export const randomFramesArb: fc.Arbitrary<Buffer[]> = fc
  .tuple(fc.boolean(), fc.array(bytes(64), { minLength: 1, maxLength: 5 }))
  .map(([signed, frames]) => (signed ? [RPC_SIGNATURE, ...frames] : frames));

/** Oversized frames and many packets, to reach the decode limits the fuzz targets are given. */
export const oversizedArb: fc.Arbitrary<Buffer[]> = fc.oneof(
  // One envelope over maxEnvelopeBytes (a long trailing field, which is otherwise ignored).
  fc
    .integer({ min: 600, max: 2000 })
    .map((n) => [RPC_SIGNATURE, tryPack([Command.CANCEL, 0, 1, 'x'.repeat(n)])]),
  fc.integer({ min: 1025, max: 3000 }).map((n) =>
    encodeMessage([
      {
        cmd: Command.REQUEST,
        id: 7,
        method: 'big.body',
        deadlineMs: 100,
        meta: undefined,
        contentType: undefined,
        body: [Buffer.alloc(n)],
      },
    ]),
  ),
  fc
    .integer({ min: 9, max: 20 })
    .map((n) => encodeMessage(Array.from({ length: n }, () => ({ cmd: Command.CANCEL, id: 1 }) as Packet))),
);

/** The limits the fuzz targets run with: small, so TOO_LARGE and TOO_MANY_PACKETS are reachable. */
export const FUZZ_LIMITS = { maxEnvelopeBytes: 512, maxBodyBytes: 1024, maxPacketsPerMessage: 8 };

/** Anything a broken or hostile peer might send. */
export const garbageArb: fc.Arbitrary<Buffer[]> = fc.oneof(
  { weight: 4, arbitrary: mutatedMessageArb },
  { weight: 2, arbitrary: randomEnvelopeArb },
  { weight: 1, arbitrary: unknownCommandArb },
  { weight: 2, arbitrary: randomFramesArb },
  { weight: 1, arbitrary: oversizedArb },
  { weight: 1, arbitrary: validMessageArb },
);
