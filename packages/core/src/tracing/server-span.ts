import type { IncomingRequest } from '@courier/transport';
import { type Context, context, type Span, SpanKind, trace } from '@opentelemetry/api';
import { parentContext } from './propagation.js';
import { recordOutcome } from './status.js';
import { activeTracer, RPC_SYSTEM } from './tracer.js';

/** The SERVER span of one handled call, and the context its handler runs in. */
export interface ServerSpan {
  readonly span: Span;
  /** The caller's context with this span in it: the handler runs in it. */
  readonly context: Context;
}

/**
 * Starts the SERVER span of a call to a user method, or returns `undefined`
 * (making nothing) when no SDK is registered. Its parent is the caller's
 * traceparent, else the active context (a new trace).
 */
export function startServerSpan(
  service: string,
  method: string,
  req: IncomingRequest,
): ServerSpan | undefined {
  const tracer = activeTracer();
  if (tracer === undefined) return undefined;
  const parent = parentContext(req.meta);
  const rpcMethod = `${service}/${method}`;
  const span = tracer.startSpan(rpcMethod, { kind: SpanKind.SERVER }, parent);
  if (span.isRecording()) {
    span.setAttributes({
      'rpc.system.name': RPC_SYSTEM,
      'rpc.method': rpcMethod,
      'courier.request_id': req.id,
      ...(req.caller !== undefined && { 'courier.caller.user_id': req.caller.userId }),
    });
  }
  return { span, context: trace.setSpan(parent, span) };
}

/** Runs `fn` (the handler) with the call's span as the active one. */
export function runInSpan<T>(serverSpan: ServerSpan, fn: () => T): T {
  return context.with(serverSpan.context, fn);
}

/** Ends the span with the call's one outcome. */
export function endServerSpan(serverSpan: ServerSpan, status: number, message: string | undefined): void {
  const { span } = serverSpan;
  if (span.isRecording()) recordOutcome(span, status, message, 'server');
  span.end();
}
