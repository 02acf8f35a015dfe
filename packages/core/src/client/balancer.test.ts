import { afterEach, describe, expect, it } from 'vitest';
import { createClient } from '../index.js';
import { powerOfTwoChoices } from './balancer.js';
import { Cleanup, deferred, seededRandom, waitUntil } from './fixtures/helpers.js';
import { FAST, playlist } from './fixtures/playlist.js';
import { replyValue, startServer } from './fixtures/test-server.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const ep = (name: string, outstanding: number, usable = true) => ({ name, outstanding, usable });

describe('powerOfTwoChoices()', () => {
  it('takes the less busy of the two it samples', () => {
    const items = [ep('a', 5), ep('b', 0), ep('c', 9)];
    // Samples a then b: b is idle.
    expect(powerOfTwoChoices(items, new Set(), sequence(0, 0.1))?.name).toBe('b');
    // Samples c then a: a has fewer.
    expect(powerOfTwoChoices(items, new Set(), sequence(0.9, 0))?.name).toBe('a');
  });

  it('never picks an unusable endpoint, and returns undefined when none is usable', () => {
    const random = seededRandom(7);
    const items = [ep('a', 0, false), ep('b', 3), ep('c', 0, false)];
    for (let i = 0; i < 20; i++) expect(powerOfTwoChoices(items, new Set(), random)?.name).toBe('b');
    expect(powerOfTwoChoices([ep('a', 0, false)], new Set(), random)).toBeUndefined();
    expect(powerOfTwoChoices([], new Set(), random)).toBeUndefined();
  });

  it('avoids endpoints already tried while another is usable, and falls back to them otherwise', () => {
    const random = seededRandom(3);
    const [a, b] = [ep('a', 0), ep('b', 10)];
    for (let i = 0; i < 20; i++) expect(powerOfTwoChoices([a, b], new Set([a]), random)).toBe(b);
    expect(powerOfTwoChoices([a], new Set([a]), random)).toBe(a);
  });

  it('copes with a random source that returns values at the edges', () => {
    const items = [ep('a', 1), ep('b', 1), ep('c', 1)];
    expect(powerOfTwoChoices(items, new Set(), () => 0.999_999_999)).toBeDefined();
    expect(powerOfTwoChoices(items, new Set(), () => 1)).toBeDefined();
  });
});

describe('spreading calls over endpoints', () => {
  it('spreads concurrent calls evenly over three servers by outstanding calls', async () => {
    const release = deferred();
    const servers = await Promise.all(
      [0, 1, 2].map(async () =>
        cleanup.add(await startServer((req) => void release.promise.then(() => replyValue(req, 1)))),
      ),
    );
    const client = cleanup.add(
      createClient(playlist, {
        endpoints: servers.map((s) => s.endpoint),
        transport: FAST,
        random: seededRandom(42),
      }),
    );
    await waitUntil(() => client.$endpoints().every((e) => e.state === 'alive'), 'all endpoints alive');

    const calls = Array.from({ length: 30 }, () => client.count());
    // Each pick sees the calls before it, so no endpoint gets ahead of another by more than a call or two.
    const shares = client.$endpoints().map((e) => e.inflight);
    expect(shares.reduce((a, b) => a + b)).toBe(30);
    expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(2);
    await waitUntil(() => servers.reduce((n, s) => n + s.count(), 0) === 30, 'every call to arrive');
    expect(servers.map((s) => s.count())).toEqual(shares);
    release.resolve();
    expect(await Promise.all(calls)).toEqual(Array(30).fill(1));
  });

  it('sends sequential calls to every server', async () => {
    const servers = await Promise.all([0, 1, 2].map(async () => cleanup.add(await startServer())));
    const client = cleanup.add(
      createClient(playlist, {
        endpoints: servers.map((s) => s.endpoint),
        transport: FAST,
        random: seededRandom(1),
      }),
    );
    await waitUntil(() => client.$endpoints().every((e) => e.state === 'alive'), 'all endpoints alive');
    for (let i = 0; i < 30; i++) await client.get({ id: String(i) });
    for (const server of servers) expect(server.count()).toBeGreaterThan(0);
  });
});

function sequence(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length]!;
}
