import { type Context, context, ROOT_CONTEXT, TraceFlags, trace } from '@opentelemetry/api';
import { parseTraceparent } from './trace-context.js';

/**
 * The context for a `traceparent` handed across a thread boundary: the
 * caller's span as a remote parent, or the active context when there is
 * none. Kept free of the transport, because compute workers load it.
 */
export function remoteContext(traceparent: string | undefined): Context {
  const tp = parseTraceparent(traceparent);
  if (tp === undefined) return context.active();
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: tp.traceId,
    spanId: tp.spanId,
    traceFlags: Number.parseInt(tp.flags, 16) & TraceFlags.SAMPLED,
    isRemote: true,
  });
}

/**
 * Runs a compute function in the worker with the task's span as its parent,
 * so spans an SDK registered in the worker records are children of it. With
 * no context manager in the worker, `context.with` just calls `fn`.
 */
export function runWithParent<T>(traceparent: string, fn: () => T): T {
  return context.with(remoteContext(traceparent), fn);
}
