import type { Metadata } from '@courier/transport';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { AnyService } from '../definition.js';

/** The names of the events a service declares. */
export type EventName<TService extends AnyService> = keyof TService['events'] & string;

/** What a publisher passes for an event: its schema's input type. */
export type EventPayload<
  TService extends AnyService,
  TName extends EventName<TService>,
> = StandardSchemaV1.InferInput<TService['events'][TName]>;

/** What a subscriber's handler receives for an event: its schema's output type (defaults and transforms applied). */
export type EventData<
  TService extends AnyService,
  TName extends EventName<TService>,
> = StandardSchemaV1.InferOutput<TService['events'][TName]>;

/** Where an event came from, beside its payload. */
export interface EventInfo {
  /** The event's name in the service definition. */
  readonly event: string;
  /** `<service>.<event>` */
  readonly topic: string;
  /** The publisher's number for this event on this topic: 1, 2, 3, ... from the publisher's start. */
  readonly seq: number;
  /** When it was published, in ms since the epoch by the publisher's clock (informational). */
  readonly timestamp: number;
  /** Metadata the publisher sent (trace context, ...); empty when none. */
  readonly meta: Readonly<Metadata>;
  /** The publisher endpoint it came from. */
  readonly endpoint: string;
}

/**
 * Handlers for some or all of a service's events, typed from their schemas.
 * Events without a handler are not subscribed to.
 */
export type EventHandlers<TService extends AnyService> = {
  readonly [TName in EventName<TService>]?: (
    payload: EventData<TService, TName>,
    info: EventInfo,
  ) => void | Promise<void>;
};
