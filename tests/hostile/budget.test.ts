import { defineService, method } from '@courier/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { deferred, startHarness } from '../../packages/core/src/server/harness.test-util.js';

/**
 * Finding 5 of issue #12: memory was bounded by call count, not bytes
 * (5,000 queued or running calls of up to 16 MiB each). The server now sheds
 * with OVERLOADED a call whose body would take the bytes held by queued and
 * running calls past `maxInflightBytes`, and takes calls again once they leave.
 */
describe('byte budget (issue #12, finding 5)', () => {
  it('sheds with OVERLOADED past maxInflightBytes, and admits again once held calls finish', async () => {
    const gate = deferred<void>();
    const service = defineService({
      name: 'budget',
      version: 1,
      methods: {
        hold: method({
          input: z.instanceof(Buffer),
          handler: async (b) => {
            await gate.promise;
            return b.length;
          },
        }),
      },
    });
    const MiB = 1024 * 1024;
    await using h = await startHarness(service, { overrides: { maxInflightBytes: 3.5 * MiB } });
    const body = Buffer.alloc(MiB);
    const held = [h.call('hold', body), h.call('hold', body), h.call('hold', body)];
    // Far fewer calls than concurrency or maxQueue allow: only the byte budget refuses this one.
    expect(await h.call('hold', body)).toMatchObject({ status: 'OVERLOADED' });
    // A small call still fits in what is left.
    const small = h.call('hold', Buffer.alloc(16));
    gate.resolve();
    for (const out of await Promise.all(held)) expect(out).toMatchObject({ status: 'OK', value: MiB });
    expect(await small).toMatchObject({ status: 'OK', value: 16 });
    expect(await h.call('hold', body)).toMatchObject({ status: 'OK', value: MiB });
  });
});
