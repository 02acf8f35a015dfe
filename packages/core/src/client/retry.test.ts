import diagnosticsChannel from 'node:diagnostics_channel';
import { Status } from '@courier/transport';
import { afterEach, describe, expect, it } from 'vitest';
import { answerHeartbeats, is, RawPeer } from '../../../../tests/transport/helpers.js';
import {
  CancelledError,
  type ClientCallEnd,
  type ClientRetry,
  CoreChannels,
  createClient,
  DeadlineExceededError,
  InternalError,
  NotFoundError,
  OverloadedError,
  UnavailableError,
} from '../index.js';
import { Cleanup, seededRandom, waitUntil } from './fixtures/helpers.js';
import { DIES_FAST, FAST, playlist } from './fixtures/playlist.js';
import { inputOf, replyStatus, replyValue, startServer, type TestHandler } from './fixtures/test-server.js';
import { RetryPolicy } from './retry.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

/** Fails the first `failures` requests with `status`, then answers OK. */
function failingFirst(failures: number, status: Status): TestHandler {
  return (req, server) =>
    server.count() <= failures
      ? replyStatus(req, status, 'try again')
      : replyValue(req, { id: 'x', title: 'ok' });
}

function listen<T>(channel: string): T[] {
  const seen: T[] = [];
  const onMessage = (message: unknown) => seen.push(message as T);
  diagnosticsChannel.subscribe(channel, onMessage);
  cleanup.defer(() => diagnosticsChannel.unsubscribe(channel, onMessage));
  return seen;
}

const QUICK_RETRY = { initialBackoffMs: 1, maxBackoffMs: 2 };

describe('RetryPolicy', () => {
  it('retries what the server refused whatever the method, a lost endpoint only for idempotent ones', () => {
    const policy = new RetryPolicy({ maxAttempts: 3 }, () => 0.5);
    const sent = (status: Status) => ({ status, local: false });
    const local = (status: Status) => ({ status, local: true });
    for (const idempotent of [true, false]) {
      // Sent by the server: certainly not executed.
      expect(policy.retryable(sent(Status.UNAVAILABLE), idempotent, 1)).toBe(true);
      expect(policy.retryable(sent(Status.OVERLOADED), idempotent, 2)).toBe(true);
      expect(policy.retryable(sent(Status.OVERLOADED), idempotent, 3)).toBe(false);
    }
    // Decided here after the endpoint died with the call in flight: it may have run.
    expect(policy.retryable(local(Status.UNAVAILABLE), true, 1)).toBe(true);
    expect(policy.retryable(local(Status.UNAVAILABLE), false, 1)).toBe(false);
    for (const status of [Status.DEADLINE_EXCEEDED, Status.INTERNAL, Status.NOT_FOUND, Status.CANCELLED]) {
      expect(policy.retryable(sent(status), true, 1)).toBe(false);
      expect(policy.retryable(local(status), true, 1)).toBe(false);
    }
  });

  it('backs off exponentially with full jitter, up to the maximum', () => {
    const policy = new RetryPolicy({ initialBackoffMs: 10, maxBackoffMs: 50 }, () => 0.5);
    expect([1, 2, 3, 4, 5].map((n) => policy.backoffMs(n))).toEqual([5, 10, 20, 25, 25]);
    expect(new RetryPolicy({ initialBackoffMs: 10 }, () => 0).backoffMs(3)).toBe(0);
  });
});

describe('retries', () => {
  it('retries an idempotent method on UNAVAILABLE and OVERLOADED until it succeeds', async () => {
    const server = cleanup.add(await startServer(failingFirst(2, Status.UNAVAILABLE)));
    const retries = listen<ClientRetry>(CoreChannels.clientRetry);
    const ends = listen<ClientCallEnd>(CoreChannels.clientCallEnd);
    const client = cleanup.add(
      createClient(playlist, { endpoints: [server.endpoint], transport: FAST, retry: QUICK_RETRY }),
    );
    expect(await client.get({ id: 'x' })).toEqual({ id: 'x', title: 'ok' });
    expect(server.count()).toBe(3);
    // Each retry names the call and the endpoint of the attempt that failed.
    const retry = {
      service: 'playlist',
      method: 'get',
      reason: 'UNAVAILABLE',
      callId: ends[0]?.callId,
      endpoint: server.endpoint,
    };
    expect(retries).toEqual([retry, retry]);
    expect(ends).toEqual([
      {
        service: 'playlist',
        method: 'get',
        status: 'OK',
        attempts: 3,
        durationSeconds: expect.any(Number),
        callId: expect.any(Number),
        endpoint: server.endpoint,
        local: false,
      },
    ]);

    server.handler = failingFirst(server.count() + 1, Status.OVERLOADED);
    expect(await client.get({ id: 'x' })).toEqual({ id: 'x', title: 'ok' });
    expect(server.count()).toBe(5);
  });

  it('retries a method not marked idempotent when the server refused it, and after nothing else', async () => {
    const server = cleanup.add(await startServer(failingFirst(2, Status.UNAVAILABLE)));
    const ends = listen<ClientCallEnd>(CoreChannels.clientCallEnd);
    const client = cleanup.add(
      createClient(playlist, { endpoints: [server.endpoint], transport: FAST, retry: QUICK_RETRY }),
    );
    // A server sends UNAVAILABLE and OVERLOADED only for calls it did not run.
    expect(await client.add({ id: '1', title: 't' })).toEqual({ id: 'x', title: 'ok' });
    server.handler = failingFirst(server.count() + 1, Status.OVERLOADED);
    expect(await client.add({ id: '2', title: 't' })).toEqual({ id: 'x', title: 'ok' });
    // INTERNAL and DEADLINE_EXCEEDED may follow work done: sent once.
    server.handler = failingFirst(100, Status.INTERNAL);
    await expect(client.add({ id: '3', title: 't' })).rejects.toBeInstanceOf(InternalError);
    server.handler = failingFirst(100, Status.DEADLINE_EXCEEDED);
    await expect(client.add({ id: '4', title: 't' })).rejects.toBeInstanceOf(DeadlineExceededError);
    expect(ends.map((e) => [e.status, e.attempts])).toEqual([
      ['OK', 3],
      ['OK', 2],
      ['INTERNAL', 1],
      ['DEADLINE_EXCEEDED', 1],
    ]);
  });

  it('after an endpoint died with the call in flight, retries only idempotent methods', async () => {
    // A server that answers heartbeats until told to fall silent, and never replies to a call.
    const { peer, endpoint } = await RawPeer.router('tcp://127.0.0.1:*');
    cleanup.defer(() => peer.close());
    peer.respond = answerHeartbeats(FAST.heartbeatIntervalMs);
    const retries = listen<ClientRetry>(CoreChannels.clientRetry);
    const client = cleanup.add(
      createClient(playlist, { endpoints: [endpoint], transport: DIES_FAST, retry: QUICK_RETRY }),
    );
    await waitUntil(() => client.$state === 'ready', 'the endpoint to be alive');
    const get = client.get({ id: '1' }, { deadlineMs: 60_000 }).catch((e: unknown) => e);
    const add = client.add({ id: '1', title: 't' }, { deadlineMs: 60_000 }).catch((e: unknown) => e);
    await waitUntil(() => peer.packets().filter(is.request()).length === 2, 'both calls to arrive');
    peer.respond = undefined;
    // Both end by the liveness check (not their deadline, a minute away): the peer is dead.
    expect(await add).toBeInstanceOf(UnavailableError);
    expect(await get).toBeInstanceOf(UnavailableError);
    // Only get was retried (and then found no endpoint alive).
    expect(retries).toEqual([
      { service: 'playlist', method: 'get', reason: 'UNAVAILABLE', callId: expect.any(Number), endpoint },
    ]);
  });

  it('does not retry other failures of idempotent methods', async () => {
    const server = cleanup.add(await startServer(failingFirst(10, Status.NOT_FOUND)));
    const client = cleanup.add(
      createClient(playlist, { endpoints: [server.endpoint], transport: FAST, retry: QUICK_RETRY }),
    );
    await expect(client.get({ id: '1' })).rejects.toBeInstanceOf(NotFoundError);
    server.handler = failingFirst(10, Status.INTERNAL);
    await expect(client.get({ id: '1' })).rejects.toBeInstanceOf(InternalError);
    expect(server.count()).toBe(2);
  });

  it('stops after maxAttempts with the last error', async () => {
    const server = cleanup.add(await startServer(failingFirst(100, Status.OVERLOADED)));
    const client = cleanup.add(
      createClient(playlist, {
        endpoints: [server.endpoint],
        transport: FAST,
        retry: { ...QUICK_RETRY, maxAttempts: 4 },
      }),
    );
    await expect(client.get({ id: '1' })).rejects.toBeInstanceOf(OverloadedError);
    expect(server.count()).toBe(4);
  });

  it('prefers an endpoint the call has not tried yet', async () => {
    const bad = cleanup.add(await startServer(failingFirst(1000, Status.OVERLOADED)));
    const good = cleanup.add(await startServer(failingFirst(0, Status.OK)));
    const client = cleanup.add(
      createClient(playlist, {
        endpoints: [bad.endpoint, good.endpoint],
        transport: FAST,
        retry: { ...QUICK_RETRY, maxAttempts: 5, budget: false },
        random: seededRandom(9),
      }),
    );
    await waitUntil(() => client.$state === 'ready' && client.$endpoints().every((e) => e.state === 'alive'));
    for (let i = 0; i < 20; i++) await client.get({ id: String(i) });
    // Every call reached the good server once; none went to the bad one twice.
    expect(good.count()).toBe(20);
    const idsAtBad = bad.requests.map((r) => (inputOf(r) as { id: string }).id);
    expect(idsAtBad.length).toBeGreaterThan(0);
    expect(new Set(idsAtBad).size).toBe(idsAtBad.length);
  });

  it('retries no more than the budget allows', async () => {
    const server = cleanup.add(await startServer(failingFirst(1000, Status.OVERLOADED)));
    const retries = listen<ClientRetry>(CoreChannels.clientRetry);
    const client = cleanup.add(
      createClient(playlist, {
        endpoints: [server.endpoint],
        transport: FAST,
        retry: { ...QUICK_RETRY, maxAttempts: 10, budget: { ratio: 0.5, minRetriesPerSecond: 0 } },
        // The budget alone: the throttle would (rightly) stop a client whose every call is refused.
        throttle: false,
      }),
    );
    for (let i = 0; i < 10; i++)
      await expect(client.get({ id: String(i) })).rejects.toBeInstanceOf(OverloadedError);
    // Each call earns half a retry: 10 calls, 5 retries.
    expect(retries).toHaveLength(5);
    expect(server.count()).toBe(15);
  });

  it('cancels a retry waiting in backoff when the signal aborts', async () => {
    const server = cleanup.add(await startServer(failingFirst(1000, Status.UNAVAILABLE)));
    const client = cleanup.add(
      createClient(playlist, {
        endpoints: [server.endpoint],
        transport: FAST,
        retry: { initialBackoffMs: 60_000, maxBackoffMs: 60_000 },
        random: () => 0.99,
      }),
    );
    const retries = listen<ClientRetry>(CoreChannels.clientRetry);
    const controller = new AbortController();
    const pending = client
      .get({ id: '1' }, { deadlineMs: 300_000, signal: controller.signal })
      .catch((e: unknown) => e);
    // The retry is announced just before the backoff starts.
    await waitUntil(() => retries.length === 1, 'the backoff to start');
    controller.abort();
    const err = await pending;
    expect(err).toBeInstanceOf(CancelledError);
    expect((err as Error).message).toMatch(/retry/);
    expect(server.count()).toBe(1);
  });

  it("spends one deadline on all attempts, each getting what remains, and doesn't retry past it", async () => {
    const server = cleanup.add(await startServer(failingFirst(100_000, Status.UNAVAILABLE)));
    const client = cleanup.add(
      createClient(playlist, {
        endpoints: [server.endpoint],
        transport: FAST,
        retry: { maxAttempts: 1_000_000, initialBackoffMs: 1, maxBackoffMs: 4, budget: false },
        circuitBreaker: false,
      }),
    );
    const err = await client.get({ id: '1' }, { deadlineMs: 300 }).catch((e: unknown) => e);
    expect([UnavailableError, DeadlineExceededError].some((cls) => err instanceof cls)).toBe(true);
    const deadlines = server.requests.map((r) => r.deadlineMs);
    expect(deadlines.length).toBeGreaterThan(1);
    expect(deadlines[0]).toBeLessThanOrEqual(300);
    for (let i = 1; i < deadlines.length; i++) expect(deadlines[i]).toBeLessThanOrEqual(deadlines[i - 1]!);
    expect(deadlines.at(-1)).toBeLessThan(deadlines[0]!);
  });

  it('does not retry when the whole deadline is spent', async () => {
    const server = cleanup.add(await startServer(() => {}));
    const client = cleanup.add(
      createClient(playlist, { endpoints: [server.endpoint], transport: FAST, retry: QUICK_RETRY }),
    );
    await expect(client.get({ id: '1' }, { deadlineMs: 100 })).rejects.toBeInstanceOf(DeadlineExceededError);
    expect(server.count()).toBe(1);
  });

  it('does not retry at all with retry: false', async () => {
    const server = cleanup.add(await startServer(failingFirst(100, Status.UNAVAILABLE)));
    const client = cleanup.add(
      createClient(playlist, { endpoints: [server.endpoint], transport: FAST, retry: false }),
    );
    await expect(client.get({ id: '1' })).rejects.toBeInstanceOf(UnavailableError);
    expect(server.count()).toBe(1);
  });
});
