import { afterEach, describe, expect, it } from 'vitest';
import { createClient, UnavailableError } from '../index.js';
import { Cleanup, waitUntil } from './fixtures/helpers.js';
import { FAST, playlist } from './fixtures/playlist.js';
import { replyValue, startRestartableServer } from './fixtures/test-server.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

describe('local failures yield to the event loop', () => {
  it('lets a tight loop of failing calls run timers and recover when the endpoint returns', async () => {
    const server = cleanup.add(
      await startRestartableServer((req) => replyValue(req, { id: 'x', title: 't' })),
    );
    const client = cleanup.add(createClient(playlist, { endpoints: [server.endpoint], transport: FAST }));
    expect(await client.get({ id: 'x' })).toEqual({ id: 'x', title: 't' });
    await server.close();
    await waitUntil(() => client.$endpoints()[0]!.state === 'dead', 'the endpoint to be seen down');

    let timerFired = false;
    setTimeout(() => {
      timerFired = true;
    }, 10);
    let restarting: Promise<unknown> | undefined;
    let failures = 0;
    for (;;) {
      try {
        expect(await client.get({ id: 'x' }, { deadlineMs: 2000 })).toEqual({ id: 'x', title: 't' });
        break;
      } catch (err) {
        expect(err).toBeInstanceOf(UnavailableError);
        // Without pacing the loop never yields, so neither the timer nor the
        // restart could ever happen: stop rather than spin forever.
        if (++failures > 2_000_000) throw new Error('the loop starved the timer');
        if (timerFired && restarting === undefined) restarting = server.start();
      }
    }
    expect(timerFired).toBe(true);
    await restarting;
  });
});
