import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { type Fixture, startServerProcess } from '../../../tests/transport/child-process.js';
import { reserveAddress, Teardown, uniqueAddress, waitFor } from '../../../tests/transport/helpers.js';
import { type Reply, TransportClient } from './client.js';
import { Status } from './protocol/constants.js';

/**
 * Peer loss with a real server process: killed (the OS closes its sockets),
 * stopped (TCP stays up, only heartbeats notice), and restarted on the same
 * address. Timing is never asserted: a call settled as UNAVAILABLE rather
 * than DEADLINE_EXCEEDED (30 s away) shows the heartbeat window decided it.
 */
/**
 * 50 ms heartbeats; a window of 10 of them (500 ms), not 3, because a child
 * process just started on a busy machine can stall for more than 150 ms, and
 * a false death would settle the calls before the loss under test.
 */
const CLIENT = { heartbeatIntervalMs: 50, heartbeatLiveness: 10, reconnectMaxIntervalMs: 200 };

describe.each(['tcp', 'ipc'] as const)('peer loss over %s', (kind) => {
  const teardown = new Teardown();
  afterEach(() => teardown.run());

  function bindAddress(): string {
    const address = uniqueAddress(kind);
    if (kind === 'ipc') teardown.add(address, (a) => rmSync(a.slice('ipc://'.length), { force: true }));
    return address;
  }

  async function serverProcess(bind: string) {
    const started = await startServerProcess(bind);
    teardown.add(started.fixture, (f) => f.stop());
    return started;
  }

  function connect(endpoint: string): TransportClient {
    return teardown.add(new TransportClient({ connect: endpoint, ...CLIENT }), (c) => c.close());
  }

  /** Starts `n` calls the server never answers and waits until it holds all of them. */
  async function hangingCalls(client: TransportClient, fixture: Fixture, n: number) {
    const settled: Reply[] = [];
    const calls = Array.from({ length: n }, () =>
      client.request({ method: 'test.hang', body: [], deadlineMs: 30_000 }).then((r) => {
        settled.push(r);
        return r;
      }),
    );
    await fixture.line((l) => l.event === 'request' && l.inflight === n, `${n} calls at the server`);
    // Nothing settled yet: what settles them next is the loss under test.
    expect(settled).toEqual([]);
    expect(client.state).not.toBe('dead');
    return calls;
  }

  it('fails in-flight calls with UNAVAILABLE when the server is SIGKILLed mid-request', async () => {
    const { fixture, endpoint } = await serverProcess(bindAddress());
    const client = connect(endpoint);
    const calls = await hangingCalls(client, fixture, 10);
    fixture.signal('SIGKILL');
    for (const reply of await Promise.all(calls)) {
      expect(reply).toMatchObject({ status: Status.UNAVAILABLE, local: true });
    }
    expect(client.state).toBe('dead');
    expect(await client.request({ method: 'test.echo', body: [], deadlineMs: 30_000 })).toMatchObject({
      status: Status.UNAVAILABLE,
      local: true,
    });
  });

  it('notices a SIGSTOPped server by heartbeats alone, and recovers after SIGCONT', async () => {
    const { fixture, endpoint } = await serverProcess(bindAddress());
    const client = connect(endpoint);
    const calls = await hangingCalls(client, fixture, 5);
    fixture.signal('SIGSTOP');
    for (const reply of await Promise.all(calls)) {
      expect(reply).toMatchObject({ status: Status.UNAVAILABLE, local: true });
    }
    expect(client.state).toBe('dead');
    fixture.signal('SIGCONT');
    await waitFor(() => client.state === 'alive', 'the client to hear the server again');
    const reply = await client.request({
      method: 'test.echo',
      body: [Buffer.from('back')],
      deadlineMs: 10_000,
    });
    expect(reply).toMatchObject({ status: Status.OK, local: false });
    expect(String(reply.body[0])).toBe('back');
  });

  it('reconnects to a server restarted on the same address', async () => {
    // A fixed address, as a deployed server has: for tcp a free port below the
    // ephemeral range, which no other socket takes while the server is down.
    const bind = kind === 'tcp' ? await reserveAddress('tcp') : bindAddress();
    const first = await serverProcess(bind);
    const endpoint = first.endpoint;
    const client = connect(endpoint);
    expect((await client.request({ method: 'test.echo', body: [], deadlineMs: 10_000 })).status).toBe(
      Status.OK,
    );

    await first.fixture.stop();
    await waitFor(() => client.state === 'dead', 'the client to declare the server dead');

    const second = await serverProcess(endpoint);
    expect(second.endpoint).toBe(endpoint);
    await waitFor(() => client.state === 'alive', 'the client to find the new server');
    const reply = await client.request({
      method: 'test.echo',
      body: [Buffer.from('again')],
      deadlineMs: 10_000,
    });
    expect(reply).toMatchObject({ status: Status.OK, local: false });
    expect(String(reply.body[0])).toBe('again');
  });
});
