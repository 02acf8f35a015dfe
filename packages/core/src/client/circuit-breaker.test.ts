import diagnosticsChannel from 'node:diagnostics_channel';
import { Status } from '@courier/transport';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type ClientEndpointState,
  CoreChannels,
  createClient,
  InternalError,
  UnavailableError,
} from '../index.js';
import { type BreakerState, CircuitBreaker } from './circuit-breaker.js';
import { Cleanup, deferred, FakeClock, seededRandom, waitUntil } from './fixtures/helpers.js';
import { FAST, playlist } from './fixtures/playlist.js';
import { inputOf, replyStatus, replyValue, startServer, type TestHandler } from './fixtures/test-server.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

describe('CircuitBreaker', () => {
  function breaker() {
    const clock = new FakeClock();
    const changes: BreakerState[] = [];
    const b = new CircuitBreaker(
      { failureThreshold: 3, cooldownMs: 100, maxCooldownMs: 300 },
      clock.now,
      (s) => changes.push(s),
    );
    return { b, clock, changes };
  }
  const fail = (b: CircuitBreaker) => b.end('failure', b.begin());
  const succeed = (b: CircuitBreaker) => b.end('success', b.begin());

  it('opens after consecutive failures; a success in between resets the count', () => {
    const { b, changes } = breaker();
    fail(b);
    fail(b);
    succeed(b);
    fail(b);
    fail(b);
    expect(b.state).toBe('closed');
    fail(b);
    expect(b.state).toBe('open');
    expect(b.allows).toBe(false);
    expect(changes).toEqual(['open']);
  });

  it('neither CANCELLED nor OVERLOADED counts (neutral)', () => {
    const { b } = breaker();
    for (let i = 0; i < 10; i++) b.end('neutral', b.begin());
    fail(b);
    fail(b);
    expect(b.state).toBe('closed');
  });

  it('lets one probe through after the cooldown, and closes when it succeeds', () => {
    const { b, clock, changes } = breaker();
    for (let i = 0; i < 3; i++) fail(b);
    clock.advance(99);
    expect(b.allows).toBe(false);
    clock.advance(1);
    expect(b.state).toBe('half-open');
    expect(b.allows).toBe(true);
    const probe = b.begin();
    expect(probe).toBe(true);
    expect(b.allows).toBe(false);
    expect(b.begin()).toBe(false);
    b.end('success', probe);
    expect(b.state).toBe('closed');
    expect(changes).toEqual(['open', 'half-open', 'closed']);
  });

  it('doubles the cooldown after a failed probe, up to the maximum, and resets it on close', () => {
    const { b, clock } = breaker();
    for (let i = 0; i < 3; i++) fail(b);
    const cooldowns: number[] = [];
    for (let round = 0; round < 4; round++) {
      let waited = 0;
      while (b.state === 'open') {
        clock.advance(10);
        waited += 10;
      }
      cooldowns.push(waited);
      fail(b);
    }
    expect(cooldowns).toEqual([100, 200, 300, 300]);
    clock.advance(300);
    succeed(b);
    expect(b.state).toBe('closed');
    for (let i = 0; i < 3; i++) fail(b);
    clock.advance(100);
    expect(b.state).toBe('half-open');
  });

  it('ignores late outcomes of calls sent before it opened, and a cancelled probe frees the slot', () => {
    const { b, clock } = breaker();
    const late = b.begin();
    for (let i = 0; i < 3; i++) fail(b);
    b.end('success', late);
    expect(b.state).toBe('open');
    clock.advance(100);
    const probe = b.begin();
    b.end('neutral', probe);
    expect(b.state).toBe('half-open');
    expect(b.allows).toBe(true);
  });
});

describe('circuit breaking in the client', () => {
  /** Fails `get` for id "boom" with INTERNAL; holds requests while `hold` is set. */
  function flaky(state: { hold?: ReturnType<typeof deferred<void>> }): TestHandler {
    return (req) => {
      const respond = () => {
        const { id } = inputOf(req) as { id: string };
        if (id === 'boom') replyStatus(req, Status.INTERNAL, 'boom');
        else replyValue(req, { id, title: 't' });
      };
      if (state.hold === undefined) respond();
      else void state.hold.promise.then(respond);
    };
  }

  it('ejects a failing endpoint, fails fast while it is out, probes it once, and takes it back', async () => {
    const state: { hold?: ReturnType<typeof deferred<void>> } = {};
    const server = cleanup.add(await startServer(flaky(state)));
    const clock = new FakeClock();
    const events: ClientEndpointState[] = [];
    const onEvent = (message: unknown) => events.push(message as ClientEndpointState);
    diagnosticsChannel.subscribe(CoreChannels.clientEndpoint, onEvent);
    cleanup.defer(() => diagnosticsChannel.unsubscribe(CoreChannels.clientEndpoint, onEvent));
    const client = cleanup.add(
      createClient(playlist, {
        endpoints: [server.endpoint],
        transport: FAST,
        circuitBreaker: { failureThreshold: 2, cooldownMs: 1000, maxCooldownMs: 4000 },
        now: clock.now,
      }),
    );

    await expect(client.get({ id: 'boom' })).rejects.toBeInstanceOf(InternalError);
    await expect(client.get({ id: 'boom' })).rejects.toBeInstanceOf(InternalError);
    expect(client.$endpoints()[0]!.state).toBe('ejected');
    expect(events.at(-1)).toEqual({ service: 'playlist', endpoint: server.endpoint, state: 'ejected' });
    await expect(client.get({ id: 'ok' })).rejects.toThrow(/ejected/);
    expect(server.count()).toBe(2);

    // Cooldown over: one probe goes through; others fail fast while it is out.
    clock.advance(1000);
    expect(client.$endpoints()[0]!.state).toBe('half-open');
    state.hold = deferred();
    const probe = client.get({ id: 'boom' }).catch((e: unknown) => e);
    await expect(client.get({ id: 'ok' })).rejects.toBeInstanceOf(UnavailableError);
    await waitUntil(() => server.count() === 3, 'the probe to arrive');
    state.hold.resolve();
    state.hold = undefined;
    expect(await probe).toBeInstanceOf(InternalError);

    // The failed probe doubled the cooldown.
    expect(client.$endpoints()[0]!.state).toBe('ejected');
    clock.advance(1000);
    expect(client.$endpoints()[0]!.state).toBe('ejected');
    clock.advance(1000);
    expect(await client.get({ id: 'ok' })).toEqual({ id: 'ok', title: 't' });
    expect(client.$endpoints()[0]!.state).toBe('alive');
    expect(await client.get({ id: 'again' })).toEqual({ id: 'again', title: 't' });
    expect(events.map((e) => e.state)).toEqual(
      expect.arrayContaining(['ejected', 'half-open', 'ejected', 'half-open', 'alive']),
    );
  });

  it('sends calls to the healthy endpoints while one is ejected', async () => {
    const bad = cleanup.add(await startServer((req) => replyStatus(req, Status.INTERNAL, 'sick')));
    const good = cleanup.add(await startServer(flaky({})));
    const client = cleanup.add(
      createClient(playlist, {
        endpoints: [bad.endpoint, good.endpoint],
        transport: FAST,
        retry: false,
        circuitBreaker: { failureThreshold: 3 },
        random: seededRandom(11),
      }),
    );
    await waitUntil(() => client.$endpoints().every((e) => e.state === 'alive'), 'both endpoints alive');
    let failures = 0;
    for (let i = 0; i < 40; i++) await client.add({ id: String(i), title: 't' }).catch(() => failures++);
    expect(bad.count()).toBe(3);
    expect(failures).toBe(3);
    expect(client.$endpoints().find((e) => e.endpoint === bad.endpoint)!.state).toBe('ejected');
  });

  it('can be turned off', async () => {
    const server = cleanup.add(await startServer((req) => replyStatus(req, Status.INTERNAL, 'boom')));
    const client = cleanup.add(
      createClient(playlist, { endpoints: [server.endpoint], transport: FAST, circuitBreaker: false }),
    );
    for (let i = 0; i < 10; i++) await expect(client.get({ id: '1' })).rejects.toBeInstanceOf(InternalError);
    expect(client.$endpoints()[0]!.state).toBe('alive');
  });
});
