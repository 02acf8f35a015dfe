// packages/transport/README.md, "Events" and "Diagnostics channels".
// Run it: npx tsx --conditions=courier-source docs/examples/transport/events.ts
import diagnosticsChannel from 'node:diagnostics_channel';
import {
  type DroppedMessage,
  EventPublisher,
  EventSubscriber,
  msgpack,
  type ReceivedEvent,
  TransportChannels,
} from '@courier/transport';

diagnosticsChannel.subscribe(TransportChannels.dropped, (message) => {
  const { side, reason } = message as DroppedMessage;
  console.warn(`${side} dropped a message: ${reason}`);
});

await using pub = await EventPublisher.bind({ bind: 'tcp://127.0.0.1:*', sendHighWaterMark: 10_000 });

let delivered!: (event: ReceivedEvent) => void;
const first = new Promise<ReceivedEvent>((resolve) => {
  delivered = resolve;
});
await using sub = new EventSubscriber({
  connect: pub.endpoints, // one SUB socket per publisher endpoint
  topics: ['catalog.trackAdded'], // exact topics, though ZeroMQ filters by prefix
  onEvent: (event) => delivered(event), // one at a time per publisher; a returned promise is awaited
  onGap: (gap) => console.warn(`lost ${gap.lost} events on ${gap.topic} from ${gap.endpoint}`),
});

await pub.waitForSubscriber('catalog.trackAdded'); // past the "slow joiner" window
const seq = pub.publish('catalog.trackAdded', [msgpack.pack({ id: 't1' })], { meta: { traceparent: 'x' } });

const event = await first;
console.log(seq, event.topic, event.seq, msgpack.unpack(event.body[0]!), sub.lost); // 1 catalog.trackAdded 1 { id: 't1' } 0
