export { createPublisher, type Publisher, type PublisherOptions } from './publisher.js';
export { type EventErrorContext, type SubscribeOptions, type Subscription, subscribe } from './subscriber.js';
export type { EventData, EventHandlers, EventInfo, EventName, EventPayload } from './types.js';
