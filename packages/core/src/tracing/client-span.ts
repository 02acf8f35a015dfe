import type { Metadata, Reply } from '@courier/transport';
import { type Attributes, type Span, SpanKind } from '@opentelemetry/api';
import { injectSpan, parentContext } from './propagation.js';
import { recordOutcome } from './status.js';
import { activeTracer, RPC_SYSTEM } from './tracer.js';

/** One traced attempt of a client call: the metadata to send, and its end. */
export interface ClientAttempt {
  /** The call's metadata with this attempt's span as the parent. */
  readonly meta: Metadata;
  end(reply: Reply): void;
}

/**
 * Starts the CLIENT span of one attempt, or returns `undefined` (making
 * nothing) when no SDK is registered. Each attempt is its own span, so
 * retries show as siblings under the caller's span, each with its endpoint.
 * The parent is the trace in the call's metadata (what `ctx.client()` put
 * there), else the active context.
 *
 * @param service the client's service ('' for a dynamic client, whose `method` is the wire name).
 */
export function startClientAttempt(
  service: string,
  method: string,
  address: string,
  attempt: number,
  meta: Metadata | undefined,
): ClientAttempt | undefined {
  const tracer = activeTracer();
  if (tracer === undefined) return undefined;
  const rpcMethod = rpcMethodOf(service, method);
  const span = tracer.startSpan(rpcMethod, { kind: SpanKind.CLIENT }, parentContext(meta));
  if (span.isRecording()) span.setAttributes(clientAttributes(rpcMethod, address, attempt));
  return { meta: injectSpan(meta, span), end: (reply) => endClientSpan(span, reply) };
}

/** A call that ended before any attempt (no endpoint, deadline, cancel) still gets one span, as an error. */
export function recordUnsentCall(
  service: string,
  method: string,
  meta: Metadata | undefined,
  reply: Reply,
): void {
  const tracer = activeTracer();
  if (tracer === undefined) return;
  const rpcMethod = rpcMethodOf(service, method);
  const span = tracer.startSpan(rpcMethod, { kind: SpanKind.CLIENT }, parentContext(meta));
  if (span.isRecording()) {
    span.setAttributes({ 'rpc.system.name': RPC_SYSTEM, 'rpc.method': rpcMethod, 'courier.attempt': 0 });
  }
  endClientSpan(span, reply);
}

function endClientSpan(span: Span, reply: Reply): void {
  if (span.isRecording()) {
    recordOutcome(span, reply.status, reply.message, 'client');
    if (reply.local) span.setAttribute('courier.local', true);
  }
  span.end();
}

function clientAttributes(rpcMethod: string, address: string, attempt: number): Attributes {
  const attributes: Attributes = {
    'rpc.system.name': RPC_SYSTEM,
    'rpc.method': rpcMethod,
    'courier.attempt': attempt,
    ...addressAttributes(address),
  };
  return attributes;
}

const TCP = /^tcp:\/\/(?:\[([^\]]+)\]|([^:/]+)):(\d+)$/;

/** server.address/server.port from a ZeroMQ endpoint; ipc and inproc name the path as the address. */
export function addressAttributes(endpoint: string): Attributes {
  const m = TCP.exec(endpoint);
  if (m !== null) {
    return {
      'server.address': m[1] ?? m[2]!,
      'server.port': Number(m[3]),
      'network.transport': 'tcp',
    };
  }
  const sep = endpoint.indexOf('://');
  if (sep < 0) return { 'server.address': endpoint };
  const scheme = endpoint.slice(0, sep);
  return {
    'server.address': endpoint.slice(sep + 3),
    'network.transport': scheme === 'ipc' ? 'unix' : scheme,
  };
}

/** `service/method` from a wire name `service.method` (a dynamic client's calls). */
export function rpcMethodOf(service: string, method: string): string {
  if (service !== '') return `${service}/${method}`;
  const dot = method.indexOf('.');
  return dot < 0 ? method : `${method.slice(0, dot)}/${method.slice(dot + 1)}`;
}
