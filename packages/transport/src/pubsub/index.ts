export { EventPublisher, type EventPublisherOptions, type EventPublishOptions } from './publisher.js';
export type { EventGap } from './seq-tracker.js';
export { EventSubscriber, type EventSubscriberOptions, type ReceivedEvent } from './subscriber.js';
