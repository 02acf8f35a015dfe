import { defineService, method } from '@courier/core';
import { ContentType, msgpack } from '@courier/transport';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startHarness } from '../../packages/core/src/server/harness.test-util.js';

/**
 * The envelope fuzzers (packages/transport/src/*.fuzz.test.ts) never decode a
 * body. This one sends mutated bodies through every body decoder the server
 * has (MessagePack, the default; JSON; raw bytes): valid values, then bytes
 * flipped, cut, inserted and lengths inflated. Each call must end in one
 * outcome, 200 or 400 (never 500, a hang or a crash), and a probe beside each
 * batch must still be answered.
 */
const service = defineService({
  name: 'fuzz',
  version: 1,
  methods: { echo: method({ input: z.unknown(), handler: (v) => v }) },
});

const value = fc.letrec((tie) => ({
  leaf: fc.oneof(
    fc.integer(),
    fc.double(),
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }),
    fc.string({ maxLength: 40 }),
    fc.boolean(),
    fc.constant(null),
    fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)),
    fc.date({ noInvalidDate: true }),
  ),
  node: fc.oneof(
    { depthSize: 'small' },
    tie('leaf'),
    fc.array(tie('node'), { maxLength: 5 }),
    fc.dictionary(fc.string({ maxLength: 8 }), tie('node'), { maxKeys: 5 }),
  ),
})).node;

type Mutation = (b: Buffer) => Buffer;
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constant<Mutation>((b) => b),
  fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })).map(
    ([at, byte]): Mutation =>
      (b) => {
        const c = Buffer.from(b);
        if (c.length > 0) c[at % c.length] = byte;
        return c;
      },
  ),
  fc.nat().map(
    (at): Mutation =>
      (b) =>
        b.subarray(0, b.length === 0 ? 0 : at % b.length),
  ),
  fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 8 })).map(
    ([at, bytes]): Mutation =>
      (b) => {
        const i = b.length === 0 ? 0 : at % b.length;
        return Buffer.concat([b.subarray(0, i), bytes, b.subarray(i)]);
      },
  ),
  // A header claiming far more than is there: str32, bin32, array32, map32.
  fc.constantFrom(0xdb, 0xc6, 0xdd, 0xdf).map(
    (head): Mutation =>
      (b) =>
        Buffer.concat([Buffer.from([head, 0x7f, 0xff, 0xff, 0xff]), b]),
  ),
);

const contentType = fc.constantFrom(undefined, ContentType.MSGPACK, ContentType.JSON, ContentType.BINARY);

describe('mutated bodies through every body decoder (issue #12)', () => {
  it('answers each with 200 or 400 while a probe is served', async () => {
    await using h = await startHarness(service);
    const statuses = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(value, mutation, contentType), { minLength: 20, maxLength: 20 }),
        async (cases) => {
          const calls = cases.map(([v, mutate, type]) => {
            const valid =
              type === ContentType.JSON
                ? Buffer.from(
                    JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? x.toString() : x)) ?? 'null',
                  )
                : msgpack.pack(v);
            return h.call('echo', undefined, {
              body: [mutate(valid)],
              contentType: type,
              deadlineMs: 10_000,
            });
          });
          const [probe, ...outs] = await Promise.all([h.call('echo', 'probe'), ...calls]);
          expect(probe).toMatchObject({ status: 'OK', value: 'probe' });
          for (const out of outs) {
            expect(['OK', 'BAD_REQUEST']).toContain(out.status);
            statuses.set(out.status, (statuses.get(out.status) ?? 0) + 1);
          }
        },
      ),
      { seed: 0x12b0d, numRuns: 60, endOnFailure: true },
    );
    // Both outcomes were reached: the fuzzer got past the decoder and was stopped by it.
    expect(statuses.get('OK')).toBeGreaterThan(0);
    expect(statuses.get('BAD_REQUEST')).toBeGreaterThan(0);
  });
});
