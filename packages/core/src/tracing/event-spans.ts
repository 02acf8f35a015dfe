import type { Metadata } from '@courier/transport';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { injectSpan, parentContext } from './propagation.js';
import { activeTracer, RPC_SYSTEM } from './tracer.js';

/**
 * PRODUCER and CONSUMER spans for events, named and attributed as the
 * messaging semantic conventions say (`send <topic>`, `process <topic>`).
 * The publisher's span travels in the event's metadata like a call's, and
 * the subscriber's span is its child.
 */

/**
 * Records the PRODUCER span of one publish and returns the metadata to send
 * with it; returns `meta` untouched (and makes nothing) when no SDK is registered.
 */
export function tracePublish(topic: string, meta: Metadata | undefined): Metadata | undefined {
  const tracer = activeTracer();
  if (tracer === undefined) return meta;
  const span = tracer.startSpan(`send ${topic}`, { kind: SpanKind.PRODUCER }, parentContext(meta));
  if (span.isRecording()) {
    span.setAttributes({
      'messaging.system': RPC_SYSTEM,
      'messaging.operation.type': 'send',
      'messaging.operation.name': 'publish',
      'messaging.destination.name': topic,
    });
  }
  const out = injectSpan(meta, span);
  // Handing the event to ZeroMQ is the whole send: delivery is not observable.
  span.end();
  return out;
}

/**
 * Runs an event handler inside the CONSUMER span of its delivery, or just
 * runs it when no SDK is registered. A handler's rejection or throw marks
 * the span as an error and is passed on.
 */
export function traceDelivery<T>(topic: string, seq: number, meta: Metadata | undefined, run: () => T): T {
  const tracer = activeTracer();
  if (tracer === undefined) return run();
  const parent = parentContext(meta);
  const span = tracer.startSpan(`process ${topic}`, { kind: SpanKind.CONSUMER }, parent);
  if (span.isRecording()) {
    span.setAttributes({
      'messaging.system': RPC_SYSTEM,
      'messaging.operation.type': 'process',
      'messaging.destination.name': topic,
      'messaging.message.id': String(seq),
    });
  }
  const fail = (err: unknown): void => {
    span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
    span.end();
  };
  let result: T;
  try {
    result = context.with(trace.setSpan(parent, span), run);
  } catch (err) {
    fail(err);
    throw err;
  }
  const pending = result as unknown as PromiseLike<unknown> | null | undefined;
  if (pending != null && typeof pending.then === 'function') {
    pending.then(() => span.end(), fail);
  } else {
    span.end();
  }
  return result;
}
