import { createPublisher, subscribe, testService } from '@courier/core';
import { describe, expect, it } from 'vitest';
import { library, usePublisher } from './service.js';

describe('examples/events', () => {
  it('publishes a typed event for every track added', async () => {
    await using publisher = await createPublisher(library, { bind: 'tcp://127.0.0.1:*' });
    usePublisher(publisher);
    const received: Array<{ trackId: string; position: number; seq: number }> = [];
    let arrived: () => void = () => {};
    const bothArrived = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    await using _sub = subscribe(
      library,
      { endpoints: publisher.endpoints },
      {
        trackAdded: ({ trackId, position }, { seq }) => {
          received.push({ trackId, position, seq });
          if (received.length === 2) arrived();
        },
      },
    );
    await publisher.waitForSubscriber('trackAdded');
    await using svc = await testService(library);
    expect(await svc.client.addTrack({ playlistId: 'p9', trackId: 'a' })).toEqual({ position: 0 });
    expect(await svc.client.addTrack({ playlistId: 'p9', trackId: 'b' })).toEqual({ position: 1 });
    await bothArrived;
    expect(received).toEqual([
      { trackId: 'a', position: 0, seq: 1 },
      { trackId: 'b', position: 1, seq: 2 },
    ]);
  });
});
