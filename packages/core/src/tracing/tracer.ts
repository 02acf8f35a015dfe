import { ProxyTracerProvider, type Tracer, type TracerProvider, trace } from '@opentelemetry/api';

/** The API's no-op provider: what a proxy delegates to until an SDK registers one. */
const NOOP_PROVIDER = new ProxyTracerProvider().getDelegate();

/**
 * `COURIER_TRACING=off` (read when core loads) skips even the check below:
 * for measuring what the check costs, or for a process that must never trace.
 */
const OFF = process.env.COURIER_TRACING === 'off';

let cachedFor: TracerProvider | undefined;
let cachedTracer: Tracer | undefined;

/**
 * Courier's tracer, or `undefined` when no SDK is registered. This is the
 * one check every call path makes: with no SDK it costs a global lookup and
 * two compares, and no span, context or attribute object is made. The
 * application registers an SDK whenever it likes (even after serve()), so
 * this is asked per call, and the tracer is re-fetched when the registered
 * provider changes (tests swap providers; a ProxyTracer would keep the old one).
 */
export function activeTracer(): Tracer | undefined {
  if (OFF) return undefined;
  let provider: TracerProvider = trace.getTracerProvider();
  if (provider instanceof ProxyTracerProvider) provider = provider.getDelegate();
  if (provider === NOOP_PROVIDER) return undefined;
  if (provider !== cachedFor) {
    cachedTracer = provider.getTracer('@courier/core');
    cachedFor = provider;
  }
  return cachedTracer;
}

/** `rpc.system.name` for every Courier span (the RPC semantic conventions allow custom systems). */
export const RPC_SYSTEM = 'courier';
