import { type Span, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { CourierError } from '../errors.js';
import { traceparentOf } from './propagation.js';
import { activeTracer, RPC_SYSTEM } from './tracer.js';
import { remoteContext } from './worker-context.js';

/** The span of one compute task, from the pool's queue to the worker's result. */
export interface ComputeSpan {
  /** Sent to the worker, which runs the function with it as the active parent. */
  readonly traceparent: string;
  /** Ends the span when `task` settles; resolves and rejects as `task` does. */
  track<T>(task: Promise<T>): Promise<T>;
}

/**
 * Starts an INTERNAL span for a compute task, or returns `undefined` (making
 * nothing) when no SDK is registered. Its parent is `traceparent` (the
 * handler's SERVER span, passed explicitly because the pool's queue breaks
 * async context); the worker thread gets this span's id, since an
 * OpenTelemetry context does not cross threads by itself.
 */
export function startComputeSpan(
  service: string,
  method: string,
  native: boolean,
  traceparent: string | undefined,
): ComputeSpan | undefined {
  const tracer = activeTracer();
  if (tracer === undefined) return undefined;
  const span = tracer.startSpan(
    `compute ${service}/${method}`,
    { kind: SpanKind.INTERNAL },
    remoteContext(traceparent),
  );
  if (span.isRecording()) {
    span.setAttributes({
      'rpc.system.name': RPC_SYSTEM,
      'rpc.method': `${service}/${method}`,
      'courier.compute.native': native,
    });
  }
  return {
    traceparent: traceparentOf(span),
    track: (task) =>
      task.then(
        (value) => {
          span.end();
          return value;
        },
        (err: unknown) => {
          endWithError(span, err);
          throw err;
        },
      ),
  };
}

function endWithError(span: Span, err: unknown): void {
  if (span.isRecording()) {
    const code = err instanceof CourierError ? err.code : 'INTERNAL';
    span.setAttribute('error.type', code);
    span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : code });
  }
  span.end();
}
