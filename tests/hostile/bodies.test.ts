import { defineService, method } from '@courier/core';
import { Command, encodeEvent, msgpack } from '@courier/transport';
import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startHarness } from '../../packages/core/src/server/harness.test-util.js';

/**
 * Findings 1-4 of issue #12, each a body (or envelope field) that the old
 * msgpackr-based codec accepted, stalled on or encoded wrongly. Each hostile
 * call must be answered with BAD_REQUEST while a probe call beside it is
 * answered normally; none asserts a timing.
 */
const service = defineService({
  name: 'hostile',
  version: 1,
  methods: {
    echo: method({ input: z.unknown(), handler: (v) => v }),
    big: method({ input: z.undefined(), handler: () => ({ n: 5_000_000_000, neg: -(2 ** 40) }) }),
  },
});

/** Sends `body` raw beside a probe call; returns the hostile call's outcome after checking the probe. */
async function hostile(
  h: Awaited<ReturnType<typeof startHarness<typeof service>>>,
  body: Buffer,
  meta?: unknown,
) {
  const [out, probe] = await Promise.all([
    h.call('echo', undefined, { body: [body], meta: meta as Record<string, string> }),
    h.call('echo', 'probe'),
  ]);
  expect(probe).toMatchObject({ status: 'OK', value: 'probe' });
  return out;
}

/** A tree of 2^depth leaves in which every level shares its child twice: msgpackr's references. */
function referenceBomb(depth: number): Buffer {
  let node: unknown = { leaf: 'x'.repeat(8) };
  for (let i = 0; i < depth; i++) node = { l: node, r: node };
  return Buffer.concat([new Packr({ structuredClone: true }).pack(node), Buffer.from([0x00])]);
}

describe('hostile bodies (issue #12, findings 1-4)', () => {
  it('1: a few hundred bytes of msgpackr references plus a trailing byte is a 400, not a stall', async () => {
    await using h = await startHarness(service);
    const bomb = referenceBomb(24);
    expect(bomb.length).toBeLessThan(400);
    const out = await hostile(h, bomb);
    expect(out).toMatchObject({
      status: 'BAD_REQUEST',
      details: { reason: 'INVALID_BODY', code: 'UNSUPPORTED_TYPE' },
    });
  });

  it('2: a 15 MiB bin plus one trailing byte, 1.2 million extensions, 15 million empty arrays: 400 each', async () => {
    await using h = await startHarness(service);
    const n = 15 * 1024 * 1024;
    const bin = Buffer.alloc(5 + n + 1);
    bin[0] = 0xc6;
    bin.writeUInt32BE(n, 1);
    expect(await hostile(h, bin)).toMatchObject({
      status: 'BAD_REQUEST',
      details: { code: 'TRAILING_BYTES' },
    });

    const exts = 1_200_000;
    const errors = Buffer.alloc(5 + 3 * exts);
    errors[0] = 0xdd;
    errors.writeUInt32BE(exts, 1);
    for (let i = 5; i < errors.length; i += 3) errors.set([0xd4, 0x65, 0x00], i);
    // Refused by the item limit before a single extension is read; fewer, at the first one.
    expect(await hostile(h, errors)).toMatchObject({
      status: 'BAD_REQUEST',
      details: { code: 'TOO_MANY_ITEMS' },
    });
    const fewer = Buffer.from(errors.subarray(0, 5 + 3 * 1000));
    fewer.writeUInt32BE(1000, 1);
    expect(await hostile(h, fewer)).toMatchObject({
      status: 'BAD_REQUEST',
      details: { code: 'UNSUPPORTED_TYPE' },
    });

    const empties = 15_000_000;
    const arrays = Buffer.alloc(5 + empties, 0x90);
    arrays[0] = 0xdd;
    arrays.writeUInt32BE(empties, 1);
    expect(await hostile(h, arrays)).toMatchObject({
      status: 'BAD_REQUEST',
      details: { code: 'TOO_MANY_ITEMS' },
    });
  });

  it('3: 0xc1, msgpackr extensions, a Date as meta and a __proto__ key are refused', async () => {
    await using h = await startHarness(service);
    expect(await hostile(h, Buffer.from([0xc1]))).toMatchObject({
      status: 'BAD_REQUEST',
      details: { code: 'UNSUPPORTED_TYPE' },
    });
    const extended = new Packr({ moreTypes: true, structuredClone: true });
    for (const v of [new Set([1]), new Error('x'), /x/, new Float64Array(4), new Uint16Array(2)]) {
      const out = await hostile(h, extended.pack(v));
      expect(out).toMatchObject({ status: 'BAD_REQUEST', details: { code: 'UNSUPPORTED_TYPE' } });
    }
    // A body map with a __proto__ key: refused, never renamed.
    const proto = msgpack.pack(JSON.parse('{"__proto__": {"polluted": true}, "a": 1}'));
    expect(await hostile(h, proto)).toMatchObject({
      status: 'BAD_REQUEST',
      details: { code: 'INVALID_KEY' },
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // Metadata that is a Date (the timestamp extension), or has a __proto__ key: a 400 for that request.
    const body = msgpack.pack('x');
    const dateMeta = await hostile(h, body, new Date(0));
    expect(dateMeta.status).toBe('BAD_REQUEST');
    expect(dateMeta.message).toContain('meta');
    const protoMeta = await hostile(h, body, JSON.parse('{"__proto__": "x"}'));
    expect(protoMeta.status).toBe('BAD_REQUEST');
    expect(protoMeta.message).toContain('meta');
  });

  it('4: integers of 2^32 and above go out as MessagePack integers, in replies and in EVENT envelopes', async () => {
    await using h = await startHarness(service);
    const reply = await h.client.request({ method: 'hostile.big', body: [], deadlineMs: 5000 });
    const bytes = reply.body[0]!;
    // uint64 5000000000 and int64 -2^40, not float64 (0xcb).
    expect(bytes.includes(Buffer.from('cf000000012a05f200', 'hex'))).toBe(true);
    expect(bytes.includes(Buffer.from('d3ffffff0000000000', 'hex'))).toBe(true);
    expect(bytes.includes(0xcb)).toBe(false);
    // An echoed 2^53 + 1 stays exact: a bigint, not a rounded double.
    expect(await h.call('echo', 2n ** 53n + 1n)).toMatchObject({ status: 'OK', value: 2n ** 53n + 1n });

    const timestampMs = 1_764_000_000_123;
    const [, , envelope] = encodeEvent({
      topic: 't',
      seq: 1,
      timestampMs,
      meta: undefined,
      contentType: undefined,
      body: [],
    });
    expect(msgpack.unpack(envelope!)).toEqual([Command.EVENT, 0, 1, timestampMs, null, null]);
    expect(envelope![4]).toBe(0xcf);
  });
});
