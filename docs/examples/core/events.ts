// packages/core/README.md, "Events": publish and subscribe, typed from the definition.
// Run it: npx tsx --conditions=courier-source docs/examples/core/events.ts
import { createPublisher, subscribe } from '@courier/core';
import { catalog } from './catalog.js';

// Its own socket, next to the server's: subscribers connect here.
await using events = await createPublisher(catalog, { bind: 'tcp://127.0.0.1:*' });

let delivered!: () => void;
const firstEvent = new Promise<void>((resolve) => {
  delivered = resolve;
});
await using sub = subscribe(
  catalog,
  {
    endpoints: events.endpoints,
    onGap: (gap) => console.warn(`lost ${gap.lost} ${gap.topic} events`),
    onError: (err, { phase, info }) => console.warn(phase, info.topic, err),
  },
  {
    // The schema's output type: `addedAt` arrives as a Date.
    trackAdded: async ({ id, addedAt }, { seq }) => {
      console.log(`#${seq}: ${id} at ${addedAt.toISOString()}`);
      delivered();
    },
  },
);

// Events published before the subscription reaches the publisher are lost ("slow joiner").
await events.waitForSubscriber('trackAdded');
await events.publish('trackAdded', { id: 't1', addedAt: new Date().toISOString() });

await firstEvent;
console.log({ lost: sub.lost, invalid: sub.invalid });
