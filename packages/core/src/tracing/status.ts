import { Status, statusName } from '@courier/transport';
import { type Span, SpanStatusCode } from '@opentelemetry/api';

/**
 * Statuses a server span counts as its own failure. As the RPC semantic
 * conventions do for gRPC, a caller's mistake (bad input, not found, denied,
 * cancelled, shed) leaves a server span's status unset, while the client
 * span of the same call is an error.
 */
const SERVER_FAULTS: ReadonlySet<number> = new Set([
  Status.INTERNAL,
  Status.UNSUPPORTED,
  Status.UNAVAILABLE,
  Status.DEADLINE_EXCEEDED,
]);

/** Sets the status attribute, and the span status for a failure. Call only on a recording span. */
export function recordOutcome(
  span: Span,
  status: number,
  message: string | undefined,
  side: 'client' | 'server',
): void {
  const name = statusName(status) ?? String(status);
  span.setAttribute('rpc.response.status_code', name);
  if (status === Status.OK) return;
  span.setAttribute('error.type', name);
  if (side === 'client' || SERVER_FAULTS.has(status)) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: message ?? name });
  }
}
