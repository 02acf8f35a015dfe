// A service that publishes events, and a subscriber in the same script:
//   npx tsx --conditions=courier-source examples/events/main.ts
import { createClient, createPublisher, serve, subscribe } from '@courier/core';
import { library, usePublisher } from './service.js';

const publisher = await createPublisher(library, { bind: process.env.EVENTS_BIND ?? 'tcp://127.0.0.1:7401' });
usePublisher(publisher);
const server = await serve(library, { bind: process.env.BIND ?? 'tcp://127.0.0.1:7400' });
console.log(`library listening on ${server.endpoints.join(', ')}`);
console.log(`library-events listening on ${publisher.endpoints.join(', ')}`);

// When run alone, show the round trip: subscribe, make two calls, print the events.
if (process.env.EVENTS_DEMO !== '0') {
  const subscription = subscribe(
    library,
    { endpoints: publisher.endpoints },
    {
      trackAdded: ({ playlistId, trackId, position }, { seq }) => {
        console.log(`event #${seq}: ${trackId} added to ${playlistId} at position ${position}`);
      },
    },
  );
  // Skip the slow-joiner window: wait until our subscription reached the publisher.
  await publisher.waitForSubscriber('trackAdded');
  const client = createClient(library, { endpoints: server.endpoints });
  await client.addTrack({ playlistId: 'p1', trackId: 't4' });
  await client.addTrack({ playlistId: 'p1', trackId: 't2' });
  await client.$close();
  process.once('SIGINT', () => void subscription.close());
  process.once('SIGTERM', () => void subscription.close());
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, async () => {
    await server.close();
    await publisher.close();
  });
}
