import { Status } from '@courier/transport';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, DeadlineExceededError, InternalError } from '../index.js';
import { Cleanup, deferred, FakeClock, seededRandom, waitUntil } from './fixtures/helpers.js';
import { FAST, playlist } from './fixtures/playlist.js';
import { inputOf, replyStatus, replyValue, startServer } from './fixtures/test-server.js';
import { OutlierDetector } from './outlier-detector.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

describe('OutlierDetector', () => {
  function hosts(n: number) {
    const clock = new FakeClock();
    const d = new OutlierDetector({ intervalMs: 100, minRequests: 10, baseEjectionMs: 500 }, clock.now);
    return { clock, all: Array.from({ length: n }, () => d.add(() => {})) };
  }

  it('ejects the endpoint that fails far more than its peers, at the end of the window', () => {
    const { clock, all } = hosts(3);
    const [bad, ...good] = all;
    for (let i = 0; i < 20; i++) {
      bad!.record('failure');
      for (const g of good) g.record(i === 0 ? 'failure' : 'success');
    }
    expect(bad!.ejected).toBe(false);
    clock.advance(100);
    expect(bad!.ejected).toBe(true);
    expect(good.map((g) => g.ejected)).toEqual([false, false]);
    // The ejection ends by itself; a second one in a row lasts twice as long.
    clock.advance(500);
    expect(bad!.ejected).toBe(false);
    for (let i = 0; i < 20; i++) {
      bad!.record('failure');
      for (const g of good) g.record('success');
    }
    clock.advance(100);
    expect(bad!.ejected).toBe(true);
    clock.advance(500);
    expect(bad!.ejected).toBe(true);
    clock.advance(500);
    expect(bad!.ejected).toBe(false);
  });

  it('ejects none when all fail alike, and never a lone endpoint', () => {
    const { clock, all } = hosts(3);
    for (let i = 0; i < 20; i++) for (const h of all) h.record('failure');
    clock.advance(100);
    expect(all.map((h) => h.ejected)).toEqual([false, false, false]);

    const lone = hosts(1);
    for (let i = 0; i < 50; i++) lone.all[0]!.record('failure');
    lone.clock.advance(100);
    expect(lone.all[0]!.ejected).toBe(false);
  });

  it('leaves at least one endpoint in, ejecting the worst first', () => {
    const { clock, all } = hosts(2);
    for (let i = 0; i < 20; i++) {
      all[0]!.record('failure');
      all[1]!.record(i < 2 ? 'failure' : 'success');
    }
    clock.advance(100);
    expect(all.map((h) => h.ejected)).toEqual([true, false]);
    // Now the other fails too: the cap keeps it in.
    for (let i = 0; i < 20; i++) all[1]!.record('failure');
    clock.advance(100);
    expect(all[1]!.ejected).toBe(false);
  });

  it('ignores an endpoint with too few calls to judge', () => {
    const { clock, all } = hosts(3);
    for (let i = 0; i < 5; i++) all[0]!.record('failure');
    for (let i = 0; i < 20; i++) for (const h of all.slice(1)) h.record('success');
    clock.advance(100);
    expect(all[0]!.ejected).toBe(false);
  });
});

describe('outlier detection in the client', () => {
  it("never ejects a healthy endpoint for its callers' own short deadlines", async () => {
    const hold = deferred();
    // Answers `slow` only after the test ends; everything else at once.
    const server = cleanup.add(
      await startServer((req) => {
        const { id } = inputOf(req) as { id: string };
        if (id === 'slow') void hold.promise.then(() => replyValue(req, { id, title: 't' }));
        else replyValue(req, { id, title: 't' });
      }),
    );
    cleanup.defer(() => hold.resolve());
    const clock = new FakeClock();
    const client = cleanup.add(
      createClient(playlist, {
        endpoints: [server.endpoint],
        transport: FAST,
        circuitBreaker: false,
        outlierDetection: { intervalMs: 10, minRequests: 2 },
        now: clock.now,
      }),
    );
    for (let i = 0; i < 10; i++) {
      await expect(client.get({ id: 'slow' }, { deadlineMs: 20 })).rejects.toBeInstanceOf(
        DeadlineExceededError,
      );
      clock.advance(10);
    }
    expect(client.$endpoints()[0]!.state).toBe('alive');
    expect(await client.get({ id: 'fast' })).toEqual({ id: 'fast', title: 't' });
  });

  it('takes a sick endpoint out while its peers serve', async () => {
    const bad = cleanup.add(await startServer((req) => replyStatus(req, Status.INTERNAL, 'sick')));
    const goods = [
      cleanup.add(await startServer((req) => replyValue(req, { id: 'x', title: 't' }))),
      cleanup.add(await startServer((req) => replyValue(req, { id: 'x', title: 't' }))),
    ];
    const clock = new FakeClock();
    const client = cleanup.add(
      createClient(playlist, {
        endpoints: [bad.endpoint, ...goods.map((g) => g.endpoint)],
        transport: FAST,
        retry: false,
        outlierDetection: { intervalMs: 1000, minRequests: 5 },
        random: seededRandom(3),
        now: clock.now,
      }),
    );
    await waitUntil(() => client.$endpoints().every((e) => e.state === 'alive'), 'all endpoints alive');
    let failures = 0;
    for (let i = 0; i < 60; i++) await client.add({ id: String(i), title: 't' }).catch(() => failures++);
    expect(failures).toBe(bad.count());
    clock.advance(1000);
    expect(client.$endpoints().map((e) => e.state)).toEqual(['ejected', 'alive', 'alive']);
    const before = bad.count();
    for (let i = 0; i < 30; i++) await client.add({ id: String(i), title: 't' });
    expect(bad.count()).toBe(before);
  });

  it('still sends to a lone failing endpoint', async () => {
    const server = cleanup.add(await startServer((req) => replyStatus(req, Status.INTERNAL, 'boom')));
    const clock = new FakeClock();
    const client = cleanup.add(
      createClient(playlist, { endpoints: [server.endpoint], transport: FAST, now: clock.now }),
    );
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 12; j++)
        await expect(client.get({ id: '1' })).rejects.toBeInstanceOf(InternalError);
      clock.advance(1000);
    }
    expect(client.$endpoints()[0]!.state).toBe('alive');
    expect(server.count()).toBe(36);
  });
});
