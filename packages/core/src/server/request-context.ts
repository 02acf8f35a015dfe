import { performance } from 'node:perf_hooks';
import { type CallerIdentity, type IncomingRequest, type Metadata, MetaKey } from '@courier/transport';
import type { Logger } from 'pino';
import type { Context, Scopable } from '../context.js';
import { CancelledError } from '../errors.js';
import type { ServerSpan } from '../tracing/server-span.js';
import {
  childOf,
  formatTraceparent,
  newTrace,
  parseTraceparent,
  type TraceParent,
} from '../tracing/trace-context.js';

const NO_META: Readonly<Metadata> = Object.freeze({});

/**
 * The Context a handler receives. Everything that costs something (the
 * AbortController, the child logger, the trace ids) is made on first use:
 * most handlers touch none of it, and the echo benchmark runs through here.
 */
export class RequestContext implements Context {
  readonly service: string;
  readonly method: string;
  readonly deadline: number;
  readonly #req: IncomingRequest;
  readonly #serverLog: Logger;
  #controller: AbortController | undefined;
  #stopped = false;
  #stopReason: unknown;
  #trace: TraceParent | undefined;
  #traceparent: string | undefined;
  #log: Logger | undefined;
  readonly #span: ServerSpan | undefined;

  constructor(
    service: string,
    method: string,
    deadline: number,
    req: IncomingRequest,
    serverLog: Logger,
    span?: ServerSpan,
  ) {
    this.#span = span;
    this.service = service;
    this.method = method;
    this.deadline = deadline;
    this.#req = req;
    this.#serverLog = serverLog;
  }

  remainingMs(): number {
    return Math.max(0, this.deadline - performance.now());
  }

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      const controller = new AbortController();
      this.#controller = controller;
      if (this.#stopped) {
        controller.abort(this.#stopReason);
      } else {
        // The transport's signal reports the caller's cancel and a lost peer;
        // touching it is what creates it, so this too waits for first use.
        const peerSignal = this.#req.signal;
        if (peerSignal.aborted) this.stop(cancelledReason(this.#req));
        else
          peerSignal.addEventListener('abort', () => this.stop(cancelledReason(this.#req)), { once: true });
      }
    }
    return this.#controller.signal;
  }

  get meta(): Readonly<Metadata> {
    return this.#req.meta ?? NO_META;
  }

  get caller(): string | undefined {
    return this.#req.meta?.[MetaKey.CALLER];
  }

  get identity(): CallerIdentity | undefined {
    return this.#req.caller;
  }

  get traceparent(): string {
    this.#traceparent ??= formatTraceparent(this.#traceContext());
    return this.#traceparent;
  }

  get log(): Logger {
    this.#log ??= this.#serverLog.child({
      method: this.method,
      requestId: `${this.#req.peer}/${this.#req.id}`,
      traceId: this.#traceContext().traceId,
      ...(this.#req.caller !== undefined && {
        userId: this.#req.caller.userId,
        callerKey: this.#req.caller.key,
      }),
    });
    return this.#log;
  }

  client<TClient extends Scopable<TClient>>(client: TClient): TClient {
    // With a SERVER span, the downstream CLIENT span is its child and makes its
    // own id; without one, the call gets a fresh span id in this trace.
    const trace = this.#traceContext();
    const meta: Metadata = {
      [MetaKey.TRACEPARENT]: formatTraceparent(this.#span === undefined ? childOf(trace) : trace),
      [MetaKey.CALLER]: this.service,
    };
    const tracestate = this.#req.meta?.[MetaKey.TRACESTATE];
    if (tracestate !== undefined) meta[MetaKey.TRACESTATE] = tracestate;
    // Passed on like the deadline: work done for a sheddable call is sheddable downstream too.
    const criticality = this.#req.meta?.[MetaKey.CRITICALITY];
    if (criticality !== undefined) meta[MetaKey.CRITICALITY] = criticality;
    return client.withDefaults({
      // Absolute, not `remainingMs()` now: a view kept and used later in the
      // handler must not outlive this request's deadline.
      deadline: this.deadline,
      signal: this.signal,
      meta,
    });
  }

  /** @internal Aborts `signal` (now, or at creation if it does not exist yet). Once. */
  stop(reason: unknown): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#stopReason = reason;
    this.#controller?.abort(reason);
  }

  #traceContext(): TraceParent {
    if (this.#trace !== undefined) return this.#trace;
    if (this.#span !== undefined) {
      const sc = this.#span.span.spanContext();
      this.#trace = {
        traceId: sc.traceId,
        spanId: sc.spanId,
        flags: (sc.traceFlags & 1) === 1 ? '01' : '00',
      };
      return this.#trace;
    }
    this.#trace ??= parseTraceparent(this.#req.meta?.[MetaKey.TRACEPARENT]) ?? newTrace();
    return this.#trace;
  }
}

/**
 * The reason `ctx.signal` carries when the caller cancelled, was lost, or
 * the server closed: a CancelledError (as a deadline gives a
 * DeadlineExceededError), with the transport's AbortError as its cause.
 */
export function cancelledReason(req: IncomingRequest): CancelledError {
  return new CancelledError(`cancelled (${req.abortReason})`, { cause: req.signal.reason });
}
