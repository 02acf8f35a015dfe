import diagnosticsChannel from 'node:diagnostics_channel';
import { Status } from '@courier/transport';
import { afterEach, describe, expect, it } from 'vitest';
import { type ClientCallEnd, CoreChannels, callInfo, createClient, UnavailableError } from '../index.js';
import { Cleanup, waitUntil } from './fixtures/helpers.js';
import { FAST, playlist } from './fixtures/playlist.js';
import { replyStatus, startServer } from './fixtures/test-server.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

describe('what a failed call tells about where it failed', () => {
  it('names the endpoint and call id, and tells a server-sent UNAVAILABLE from a local one', async () => {
    const ends: ClientCallEnd[] = [];
    const onEnd = (m: unknown) => ends.push(m as ClientCallEnd);
    diagnosticsChannel.subscribe(CoreChannels.clientCallEnd, onEnd);
    cleanup.defer(() => diagnosticsChannel.unsubscribe(CoreChannels.clientCallEnd, onEnd));
    const server = cleanup.add(
      await startServer((req) => replyStatus(req, Status.UNAVAILABLE, 'busy elsewhere')),
    );
    const client = cleanup.add(
      createClient(playlist, { endpoints: [server.endpoint], transport: FAST, retry: false }),
    );

    const sent = await client.get({ id: '1' }).catch((e: unknown) => e);
    expect(sent).toBeInstanceOf(UnavailableError);
    expect(callInfo(sent)).toMatchObject({ endpoint: server.endpoint, local: false, attempts: 1 });

    await server.close();
    await waitUntil(() => client.$endpoints()[0]!.state === 'dead', 'the endpoint to be seen down');
    const local = await client.get({ id: '2' }).catch((e: unknown) => e);
    expect(local).toBeInstanceOf(UnavailableError);
    expect(callInfo(local)).toMatchObject({ endpoint: undefined, local: true, attempts: 0 });

    expect(callInfo(new Error('not a call'))).toBeUndefined();
    const ids = [callInfo(sent)!.callId, callInfo(local)!.callId];
    expect(ids[1]).toBeGreaterThan(ids[0]!);
    expect(ends.map((e) => [e.callId, e.endpoint, e.local, e.status])).toEqual([
      [ids[0], server.endpoint, false, 'UNAVAILABLE'],
      [ids[1], undefined, true, 'UNAVAILABLE'],
    ]);
  });
});
