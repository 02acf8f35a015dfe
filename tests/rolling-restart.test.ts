import { fileURLToPath } from 'node:url';
import {
  type Client,
  type ClientEndpointState,
  type ClientRetry,
  CoreChannels,
  CourierError,
  createClient,
} from '@courier/core';
import { afterEach, expect, it } from 'vitest';
import { ledger } from './fixtures/rolling/ledger.service.js';
import { Fixture, type FixtureLine } from './transport/child-process.js';
import { ChannelRecorder, reserveAddress, Teardown, waitFor } from './transport/helpers.js';

/**
 * Graceful shutdown, end to end: two instances of a service, each in its own
 * process, restarted one after the other (SIGTERM, wait for it to exit by
 * itself, start it again on the same port) while a client keeps 64 calls in
 * flight, half of them to a method that is not idempotent. No call may fail,
 * and every non-idempotent call must have run exactly once.
 *
 * Nothing here waits for a fixed time: every step waits for an event or a
 * condition, each with a bound.
 */

const INSTANCE = fileURLToPath(new URL('./fixtures/rolling/instance.ts', import.meta.url));
const IN_FLIGHT = 64;
/** Calls each instance must have served before the next step, so every phase carries real load. */
const WARM = 100;
/** Short heartbeats and reconnects; a liveness window (1 s) a busy machine does not exceed. */
const TRANSPORT = {
  heartbeatIntervalMs: 50,
  heartbeatLiveness: 20,
  reconnectIntervalMs: 20,
  reconnectMaxIntervalMs: 100,
} as const;

type Ledger = Client<typeof ledger>;

interface Instance {
  readonly label: string;
  readonly bind: string;
  readonly endpoint: string;
  readonly fixture: Fixture;
}

const teardown = new Teardown();
afterEach(() => teardown.run());
/** Every instance started; teardown SIGKILLs those still running (after the load and client are stopped). */
let started: Fixture[] = [];

async function startInstance(bind: string, label: string): Promise<Instance> {
  const fixture = new Fixture(INSTANCE, [bind, label]);
  started.push(fixture);
  const ready = await fixture.line((l) => l.event === 'ready', `${label} to be ready`);
  return { label, bind, endpoint: ready.endpoint as string, fixture };
}

/** SIGTERMs an instance and waits until it has exited by itself; returns its exit and its last report. */
async function terminate(instance: Instance): Promise<{ exit: unknown; stopped: FixtureLine | undefined }> {
  instance.fixture.signal('SIGTERM');
  await waitFor(() => !instance.fixture.running, `${instance.label} to exit after SIGTERM`, 20_000);
  const exit = await instance.fixture.exited;
  return { exit, stopped: instance.fixture.lines.find((l) => l.event === 'stopped') };
}

function stateOf(client: Ledger, endpoint: string): string | undefined {
  return client.$endpoints().find((e) => e.endpoint === endpoint)?.state;
}

/** Keeps `n` calls in flight, alternating an idempotent and a non-idempotent method, until stopped. */
class Load {
  readonly served = new Map<string, number>();
  readonly failures: string[] = [];
  /** Ids of the appends that succeeded. */
  readonly appended: string[] = [];
  calls = 0;
  #running = true;
  readonly #workers: Promise<void>[];

  constructor(client: Ledger, n: number) {
    this.#workers = Array.from({ length: n }, (_, w) => this.#worker(client, w));
  }

  servedBy(label: string): number {
    return this.served.get(label) ?? 0;
  }

  async stop(): Promise<void> {
    this.#running = false;
    await Promise.all(this.#workers);
  }

  async #worker(client: Ledger, w: number): Promise<void> {
    for (let seq = 0; this.#running; seq++) {
      const ms = 1 + ((w * 7 + seq) % 4);
      const id = `${w}-${seq}`;
      const append = (w + seq) % 2 === 1;
      this.calls++;
      try {
        const { instance } = append ? await client.append({ id, ms }) : await client.read({ ms });
        this.served.set(instance, this.servedBy(instance) + 1);
        if (append) this.appended.push(id);
      } catch (err) {
        const what = err instanceof CourierError ? `${err.code}: ${err.message}` : String(err);
        this.failures.push(`${append ? `append ${id}` : 'read'} failed with ${what}`);
      }
    }
  }
}

it('restarts two instances one after the other under load, and no call fails', async () => {
  started = [];
  teardown.add(started, (fixtures) => Promise.all(fixtures.map((f) => f.stop())));
  const bindA = await reserveAddress('tcp');
  let bindB = await reserveAddress('tcp');
  while (bindB === bindA) bindB = await reserveAddress('tcp');
  const endpointStates = teardown.add(
    new ChannelRecorder<ClientEndpointState>(CoreChannels.clientEndpoint),
    (r) => r.close(),
  );
  const retries = teardown.add(new ChannelRecorder<ClientRetry>(CoreChannels.clientRetry), (r) => r.close());

  const [a1, b1] = await Promise.all([startInstance(bindA, 'A1'), startInstance(bindB, 'B1')]);
  const client = teardown.add(
    createClient(ledger, { endpoints: [a1.endpoint, b1.endpoint], transport: TRANSPORT }),
    (c) => c.$close(),
  );
  await waitFor(
    () => client.$endpoints().every((e) => e.state === 'alive'),
    'the client to see both instances alive',
  );
  const load = teardown.add(new Load(client, IN_FLIGHT), (l) => l.stop());
  await waitFor(
    () => load.servedBy('A1') >= WARM && load.servedBy('B1') >= WARM,
    'calls served by both instances',
  );

  /** The rolling step: stop one instance gracefully, start it again on its port, wait until it serves. */
  const restart = async (old: Instance, label: string) => {
    const before = endpointStates.events.length;
    const { exit, stopped } = await terminate(old);
    const next = await startInstance(old.bind, label);
    expect(next.endpoint).toBe(old.endpoint);
    await waitFor(() => stateOf(client, old.endpoint) === 'alive', `the client to see ${label} alive`);
    await waitFor(() => load.servedBy(label) >= WARM, `calls served by ${label}`);
    const states = endpointStates.events
      .slice(before)
      .filter((e) => e.endpoint === old.endpoint)
      .map((e) => e.state);
    return { next, exit, stopped, states };
  };
  const restartA = await restart(a1, 'A2');
  const restartB = await restart(b1, 'B2');
  await load.stop();

  // Stop the new instances too, gracefully, for their record of what they executed.
  const finalA = await terminate(restartA.next);
  const finalB = await terminate(restartB.next);

  const summary = {
    calls: load.calls,
    served: Object.fromEntries([...load.served].sort()),
    // Sent before the client heard DISCONNECT, and served by the draining instance.
    startedWhileDraining: [restartA, restartB].map(({ stopped }) => stopped?.startedWhileDraining),
    retries: retries.events.length,
    retryReasons: [...new Set(retries.events.map((r) => r.reason))],
  };
  console.log(`rolling restart: ${JSON.stringify(summary)}`);

  expect(load.failures).toEqual([]);
  // Every call ended in a success, served by one of the four instances.
  expect([...load.served.values()].reduce((a, b) => a + b, 0)).toBe(load.calls);
  for (const label of ['A1', 'B1', 'A2', 'B2']) expect(load.servedBy(label)).toBeGreaterThanOrEqual(WARM);
  for (const { exit } of [restartA, restartB, finalA, finalB])
    expect(exit).toEqual({ code: 0, signal: null });
  // The client heard each instance drain before it was back.
  for (const { states } of [restartA, restartB]) {
    expect(states[0]).toBe('draining');
    expect(states.at(-1)).toBe('alive');
  }
  // Every append ran exactly once, on some instance: none was lost, none ran twice.
  const executed = [restartA, restartB, finalA, finalB].flatMap(
    ({ stopped }) => (stopped?.appended as string[] | undefined) ?? [],
  );
  expect(executed.length).toBe(load.appended.length);
  expect(new Set(executed)).toEqual(new Set(load.appended));
}, 90_000);
