import {
  type EventGap,
  EventSubscriber,
  type EventSubscriberOptions,
  type Metadata,
  type ReceivedEvent,
} from '@courier/transport';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { decodeBody } from '../codec.js';
import type { AnyService } from '../definition.js';
import { BadRequestError, DefinitionError } from '../errors.js';
import { toIssues } from '../issues.js';
import { traceDelivery } from '../tracing/event-spans.js';
import type { EventHandlers, EventInfo } from './types.js';

/** What went wrong with one event, for `onError`. */
export interface EventErrorContext {
  /**
   * - `payload`: the payload failed to decode or to pass the schema; the
   *   event was dropped. Reported once per event name; `invalid` counts all.
   * - `handler`: the handler threw or rejected. Reported every time.
   */
  readonly phase: 'payload' | 'handler';
  readonly info: EventInfo;
}

export interface SubscribeOptions
  extends Omit<EventSubscriberOptions, 'connect' | 'topics' | 'onEvent' | 'onGap'> {
  /** The publishers' endpoints, each publisher once (see EventSubscriberOptions.connect). */
  endpoints: string | readonly string[];
  /**
   * Told about dropped payloads and failed handlers; neither stops delivery.
   * @default a process warning
   */
  onError?: (error: unknown, context: EventErrorContext) => void;
  /** Told when gaps in sequence numbers show that events were lost. */
  onGap?: (gap: EventGap) => void;
}

/** A running subscription. */
export interface Subscription {
  /** Events known to be lost: gaps in the publishers' sequence numbers (a lower bound). */
  readonly lost: number;
  /** Events dropped because their payload failed to decode or to pass the schema. */
  readonly invalid: number;
  /** Stops receiving, and waits for the handlers in progress. Idempotent. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const NO_META: Readonly<Metadata> = Object.freeze({});

/**
 * Subscribes to a service's events, with handlers typed from the event
 * schemas. Each payload is parsed with its schema on receipt; one that does
 * not pass is dropped and counted (`invalid`). Handlers for events from one
 * publisher run one at a time, in order; a handler that throws is reported
 * to `onError` and delivery goes on.
 *
 * Delivery is at most once: events published while this subscriber is
 * disconnected, before its subscription reaches the publisher (right after
 * `subscribe` returns, for instance), or while it is too far behind, are
 * lost for good. `lost` counts the losses it can see.
 *
 * @example
 * await using sub = subscribe(playlist, { endpoints: ['tcp://127.0.0.1:7101'] }, {
 *   created: async (p, { seq }) => index.add(p.id, p.title),
 * });
 */
export function subscribe<TService extends AnyService>(
  definition: TService,
  options: SubscribeOptions,
  handlers: EventHandlers<TService>,
): Subscription {
  const { endpoints, onError = warn, onGap, ...socketOptions } = options;
  const routes = new Map<string, Route>();
  for (const [name, handler] of Object.entries(handlers)) {
    if (handler === undefined) continue;
    if (!Object.hasOwn(definition.events, name) || typeof handler !== 'function') {
      throw new DefinitionError(
        'ERR_COURIER_MEMBER_NAME',
        `cannot subscribe to ${JSON.stringify(name)}: service ${definition.name} declares no such event, or its handler is not a function`,
      );
    }
    routes.set(`${definition.name}.${name}`, {
      name,
      schema: definition.events[name],
      handler: handler as Route['handler'],
    });
  }

  let invalid = 0;
  const reported = new Set<string>();
  const onInvalid = (route: Route, info: EventInfo, error: unknown) => {
    invalid++;
    if (reported.has(route.name)) return;
    reported.add(route.name);
    onError(error, { phase: 'payload', info });
  };
  const deliver = (route: Route, info: EventInfo, result: StandardSchemaV1.Result<unknown>) => {
    if (result.issues !== undefined) {
      const error = new BadRequestError(`invalid payload for event ${info.topic}`, {
        details: { issues: toIssues(result.issues) },
      });
      return onInvalid(route, info, error);
    }
    const onHandlerError = (err: unknown) => onError(err, { phase: 'handler', info });
    try {
      const value = result.value;
      const done = traceDelivery(info.topic, info.seq, info.meta, () => route.handler(value, info));
      if (done != null && typeof done.then === 'function') return done.then(undefined, onHandlerError);
    } catch (err) {
      onHandlerError(err);
    }
  };

  const sub = new EventSubscriber({
    ...socketOptions,
    connect: endpoints,
    topics: [...routes.keys()],
    onGap,
    onEvent: (event: ReceivedEvent) => {
      // The transport delivers only subscribed topics.
      const route = routes.get(event.topic)!;
      const info: EventInfo = {
        event: route.name,
        topic: event.topic,
        seq: event.seq,
        timestamp: event.timestampMs,
        meta: event.meta ?? NO_META,
        endpoint: event.endpoint,
      };
      let result: StandardSchemaV1.Result<unknown> | Promise<StandardSchemaV1.Result<unknown>>;
      try {
        result = route.schema['~standard'].validate(decodeBody(event.body, event.contentType));
      } catch (err) {
        return onInvalid(route, info, err);
      }
      if (result instanceof Promise) {
        return result.then(
          (r) => deliver(route, info, r),
          (err: unknown) => onInvalid(route, info, err),
        );
      }
      return deliver(route, info, result);
    },
  });

  return {
    get lost() {
      return sub.lost;
    },
    get invalid() {
      return invalid;
    },
    close: () => sub.close(),
    [Symbol.asyncDispose]: () => sub.close(),
  };
}

interface Route {
  readonly name: string;
  readonly schema: StandardSchemaV1;
  readonly handler: (payload: unknown, info: EventInfo) => void | Promise<void>;
}

function warn(error: unknown, context: EventErrorContext): void {
  const what = context.phase === 'payload' ? 'dropped an invalid payload' : 'handler failed';
  process.emitWarning(
    `Courier event ${context.info.topic}: ${what}: ${error instanceof Error ? error.message : String(error)}`,
  );
}
