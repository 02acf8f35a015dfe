import { afterEach, describe, expect, it } from 'vitest';
import { startServerProcess } from '../../../tests/transport/child-process.js';
import { Teardown, uniqueAddress, waitFor } from '../../../tests/transport/helpers.js';
import { type Reply, TransportClient } from './client.js';
import { Status } from './protocol/constants.js';

/**
 * With a heartbeat window of 60 s and deadlines of 60 s, only the socket's
 * own disconnect event can settle a call before the test's 5 s timeout, so
 * these tests show that the event, not a timer, failed the calls over.
 */
const CLIENT = { heartbeatIntervalMs: 2000, heartbeatLiveness: 30, reconnectMaxIntervalMs: 200 };
const LONG = 60_000;

describe.each(['tcp', 'ipc'] as const)('fast failover over %s', (kind) => {
  const teardown = new Teardown();
  afterEach(() => teardown.run());

  it('fails calls in flight with a local UNAVAILABLE as soon as the server is SIGKILLed', async () => {
    const { fixture, endpoint } = await startServerProcess(uniqueAddress(kind));
    teardown.add(fixture, (f) => f.stop());
    const client = teardown.add(new TransportClient({ connect: endpoint, ...CLIENT }), (c) => c.close());
    const settled: Reply[] = [];
    const calls = Array.from({ length: 8 }, () =>
      client.request({ method: 'test.hang', body: [], deadlineMs: LONG }).then((r) => {
        settled.push(r);
        return r;
      }),
    );
    await fixture.line((l) => l.event === 'request' && l.inflight === 8, '8 calls at the server');
    expect(settled).toEqual([]);
    fixture.signal('SIGKILL');
    for (const reply of await Promise.all(calls)) {
      expect(reply).toMatchObject({ status: Status.UNAVAILABLE, local: true });
    }
    expect(client.state).toBe('dead');
    // Down until it answers again: a new call fails at once, without waiting for a deadline.
    expect(await client.request({ method: 'test.echo', body: [], deadlineMs: LONG })).toMatchObject({
      status: Status.UNAVAILABLE,
      local: true,
    });
  });

  it('keeps the replies a server sent just before it closed', async () => {
    const { fixture, endpoint } = await startServerProcess(uniqueAddress(kind));
    teardown.add(fixture, (f) => f.stop());
    const client = teardown.add(new TransportClient({ connect: endpoint, ...CLIENT }), (c) => c.close());
    await waitFor(() => client.state === 'alive', 'the client to hear the server');
    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        client.request({ method: 'test.echo', body: [Buffer.from(String(i))], deadlineMs: LONG }),
      ),
    );
    expect(replies.map((r) => r.status)).toEqual(replies.map(() => Status.OK));
    await fixture.stop();
    await waitFor(() => client.state === 'dead' || client.state === 'draining', 'the loss to be seen');
  });
});
