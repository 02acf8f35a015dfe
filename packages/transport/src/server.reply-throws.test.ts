import { afterEach, describe, expect, it } from 'vitest';
import { Teardown, uniqueAddress } from '../../../tests/transport/helpers.js';
import { TransportClient } from './client.js';
import { Status } from './protocol/constants.js';
import type { OutgoingReply } from './request.js';
import { TransportServer } from './server.js';

describe('a reply whose sending throws', () => {
  const teardown = new Teardown();
  afterEach(() => teardown.run());

  it('leaves the request unreplied, so a fallback reply still reaches the caller', async () => {
    let first: unknown;
    const server = teardown.add(
      await TransportServer.listen({
        bind: uniqueAddress('tcp'),
        onRequest: (req) => {
          // A hostile or buggy reply object: reading its meta throws inside reply().
          const bad = {
            status: Status.OK,
            get meta(): never {
              throw new Error('boom');
            },
          } as unknown as OutgoingReply;
          try {
            req.reply(bad);
          } catch (err) {
            first = err;
          }
          expect(req.replied).toBe(false);
          expect(req.reply({ status: Status.INTERNAL, message: 'fallback' })).toBe(true);
        },
      }),
      (s) => s.close(),
    );
    const client = teardown.add(new TransportClient({ connect: server.endpoints[0]! }), (c) => c.close());
    // A minute of deadline: only the fallback can settle it within the test's timeout.
    const reply = await client.request({ method: 'x.y', body: [], deadlineMs: 60_000 });
    expect(reply).toMatchObject({ status: Status.INTERNAL, message: 'fallback', local: false });
    expect((first as Error).message).toBe('boom');
  });
});
