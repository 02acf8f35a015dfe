import { type Metadata, MetaKey } from '@courier/transport';
import {
  type Context,
  context,
  ROOT_CONTEXT,
  type Span,
  type SpanContext,
  TraceFlags,
  trace,
} from '@opentelemetry/api';
import { parseTraceparent } from './trace-context.js';

/**
 * W3C Trace Context in Courier metadata: the keys `traceparent` and
 * `tracestate` (docs/protocol.md, "Trace context"). Written here rather than
 * taken from @opentelemetry/core's propagator, so core depends on the API
 * alone and the metadata map is read and written directly, without a carrier.
 */

/** The parent a span starts from: the caller's trace in `meta`, else the active context. */
export function parentContext(meta: Metadata | undefined): Context {
  const remote = meta === undefined ? undefined : remoteSpanContext(meta);
  return remote === undefined ? context.active() : trace.setSpanContext(ROOT_CONTEXT, remote);
}

/** The span context `meta` carries, if its traceparent is valid. */
export function remoteSpanContext(meta: Metadata): SpanContext | undefined {
  const tp = parseTraceparent(meta[MetaKey.TRACEPARENT]);
  if (tp === undefined) return undefined;
  const state = meta[MetaKey.TRACESTATE];
  return {
    traceId: tp.traceId,
    spanId: tp.spanId,
    // Only the sampled bit is defined; the others are reserved and dropped.
    traceFlags: Number.parseInt(tp.flags, 16) & TraceFlags.SAMPLED,
    isRemote: true,
    ...(state !== undefined && state !== '' && { traceState: parseTraceState(state) }),
  };
}

/** A traceparent naming `span` as the parent. */
export function traceparentOf(span: Span): string {
  const sc = span.spanContext();
  return `00-${sc.traceId}-${sc.spanId}-${(sc.traceFlags & TraceFlags.SAMPLED) === 0 ? '00' : '01'}`;
}

/** `meta` with the trace context of `span` in it (a copy: the caller's map may be shared by calls). */
export function injectSpan(meta: Metadata | undefined, span: Span): Metadata {
  const out: Metadata = { ...meta, [MetaKey.TRACEPARENT]: traceparentOf(span) };
  const state = span.spanContext().traceState?.serialize();
  if (state !== undefined && state !== '') out[MetaKey.TRACESTATE] = state;
  return out;
}

/**
 * A minimal TraceState: the API has the interface but its implementation
 * lives in @opentelemetry/core. Entries are kept as received (the W3C rules
 * on keys are the sender's job); at most 32, as the spec allows.
 */
function parseTraceState(header: string): TraceStateList {
  const entries: [string, string][] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    entries.push([part.slice(0, eq).trim(), part.slice(eq + 1).trim()]);
    if (entries.length === 32) break;
  }
  return new TraceStateList(entries);
}

class TraceStateList {
  readonly #entries: readonly [string, string][];
  constructor(entries: readonly [string, string][]) {
    this.#entries = entries;
  }
  get(key: string): string | undefined {
    return this.#entries.find(([k]) => k === key)?.[1];
  }
  set(key: string, value: string): TraceStateList {
    const rest = this.#entries.filter(([k]) => k !== key);
    return new TraceStateList([[key, value] as [string, string], ...rest].slice(0, 32));
  }
  unset(key: string): TraceStateList {
    return new TraceStateList(this.#entries.filter(([k]) => k !== key));
  }
  serialize(): string {
    return this.#entries.map(([k, v]) => `${k}=${v}`).join(',');
  }
}
