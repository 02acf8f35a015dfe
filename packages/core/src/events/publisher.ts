import { EventPublisher, type EventPublisherOptions, type Metadata } from '@courier/transport';
import { encodeBody } from '../codec.js';
import type { AnyService } from '../definition.js';
import { BadRequestError, NotFoundError } from '../errors.js';
import { toIssues } from '../issues.js';
import { tracePublish } from '../tracing/event-spans.js';
import type { EventName, EventPayload } from './types.js';

/** Where and how a publisher binds; see EventPublisherOptions in @courier/transport. */
export type PublisherOptions = EventPublisherOptions;

/** The typed publishing end of a service's events. */
export interface Publisher<TService extends AnyService> {
  /** The bound endpoints, with wildcard ports resolved: what subscribers connect to. */
  readonly endpoints: readonly string[];
  /**
   * Validates `payload` against the event's schema and publishes it. Resolves
   * once the event is handed to ZeroMQ, which is no promise of delivery:
   * delivery is at most once, and an event nobody is subscribed to at that
   * moment (or that finds a subscriber's queue full) is lost.
   *
   * @throws BadRequestError when the payload fails the schema (nothing is sent).
   */
  publish<TName extends EventName<TService>>(
    name: TName,
    payload: EventPayload<TService, TName>,
    options?: { meta?: Metadata },
  ): Promise<void>;
  /**
   * Resolves once some subscriber's subscription to the event has reached
   * this publisher, so events published from then on reach it. Says nothing
   * about how many subscribers there are.
   */
  waitForSubscriber(name: EventName<TService>, options?: { signal?: AbortSignal }): Promise<void>;
  /** Closes the socket, sending what is queued for up to `lingerMs`. Idempotent. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Binds a publisher for the events a service declares. Each event goes out
 * on the topic `<service>.<event>`; its payload is checked against the
 * event's schema first and sent as given, so subscribers parse it with the
 * same schema.
 *
 * Delivery is at most once: subscribers that are disconnected, not yet
 * subscribed, or too slow miss events for good. They can tell how many from
 * the sequence numbers (see `subscribe`).
 *
 * @example
 * await using events = await createPublisher(playlist, { bind: 'tcp://127.0.0.1:7101' });
 * await events.publish('created', { id: 'p1', title: 'Mix' });
 */
export async function createPublisher<TService extends AnyService>(
  definition: TService,
  options: PublisherOptions,
): Promise<Publisher<TService>> {
  const pub = await EventPublisher.bind(options);
  const topic = (name: string) => `${definition.name}.${name}`;
  const schemaOf = (name: string) => {
    if (!Object.hasOwn(definition.events, name)) {
      throw new NotFoundError(`service ${definition.name} declares no event ${JSON.stringify(name)}`);
    }
    return definition.events[name];
  };
  return {
    endpoints: pub.endpoints,
    async publish(name, payload, publishOptions) {
      let result = schemaOf(name)['~standard'].validate(payload);
      if (result instanceof Promise) result = await result;
      if (result.issues !== undefined) {
        throw new BadRequestError(`invalid payload for event ${topic(name)}`, {
          details: { issues: toIssues(result.issues) },
        });
      }
      // The payload as given, not as parsed: a transform need not be
      // reversible, and subscribers apply the schema themselves.
      const to = topic(name);
      pub.publish(to, encodeBody(payload), { meta: tracePublish(to, publishOptions?.meta) });
    },
    async waitForSubscriber(name, waitOptions) {
      schemaOf(name);
      return pub.waitForSubscriber(topic(name), waitOptions);
    },
    close: () => pub.close(),
    [Symbol.asyncDispose]: () => pub.close(),
  };
}
