import { performance } from 'node:perf_hooks';
import {
  type IncomingRequest,
  type MsgpackDecoder,
  msgpack,
  type OutgoingReply,
  Status,
} from '@courier/transport';
import type { DeadlineHeap, Scheduled } from '@courier/transport/internal';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { Logger } from 'pino';
import { decodeBodyWith, encodeBody } from '../codec.js';
import { type CriticalityRank, criticalityRank } from '../criticality.js';
import {
  CancelledError,
  CourierError,
  DeadlineExceededError,
  InternalError,
  toCourierError,
} from '../errors.js';
import { isFromCall } from '../from-call.js';
import { toIssues } from '../issues.js';
import { runInSpan, type ServerSpan } from '../tracing/server-span.js';
import type { Queued, WaitQueue } from '../wait-queue.js';
import type { Bulkhead, Waiter } from './bulkhead.js';
import { cancelledReason, RequestContext } from './request-context.js';
import type { MethodRoute } from './routes.js';

/** What a call needs from the server running it. */
export interface CallHost {
  readonly service: string;
  readonly log: Logger;
  readonly bulkhead: Bulkhead;
  readonly deadlines: DeadlineHeap<Call>;
  /** The server's own body decoder (its key cache is this server's alone). */
  readonly bodies: MsgpackDecoder;
  /** Records a call's one outcome: sends the reply and reports it. */
  finish(call: Call, reply: OutgoingReply, refused: boolean): void;
  /** A slot was given back (a handler returned, perhaps after its call was settled). */
  released(): void;
}

/** Statuses that tell the caller its call was not executed (docs/protocol.md, section 7). */
const NOT_EXECUTED: ReadonlySet<number> = new Set([Status.OVERLOADED, Status.UNAVAILABLE]);

const WAITING = 0;
const RUNNING = 1;
const SETTLED = 2;
type State = typeof WAITING | typeof RUNNING | typeof SETTLED;

/**
 * One request to a user method, from admission to its one outcome.
 *
 * Two things end independently and are tracked apart:
 * - the *outcome* (`#settle`, the only place a reply leaves): the first of
 *   result, error, deadline, cancel, shed or close wins; every later one is
 *   dropped there, which is what makes "exactly one outcome" hold;
 * - the *slot* (`#release`): held from start until the handler really
 *   returns, even after a deadline or cancel settled the call, so the
 *   concurrency limit bounds work actually running.
 */
export class Call implements Waiter, Scheduled {
  readonly req: IncomingRequest;
  readonly route: MethodRoute;
  readonly deadline: number;
  /** Scheduled: the deadline heap's fields (expiresAt is `deadline` once scheduled). */
  expiresAt = 0;
  heapIndex = -1;
  queuePrev: Queued | undefined;
  queueNext: Queued | undefined;
  queueOwner: WaitQueue<Call> | undefined;
  queueArrival = 0;
  /** The caller's criticality: which queue it waits in, and what it may evict when full. */
  readonly criticality: CriticalityRank;
  readonly #host: CallHost;
  #state: State = WAITING;
  #holding = false;
  #listening = false;
  #ctx: RequestContext | undefined;
  /** The SERVER span, when an OpenTelemetry SDK is registered (set by the dispatcher). */
  trace: ServerSpan | undefined = undefined;

  constructor(host: CallHost, req: IncomingRequest, route: MethodRoute) {
    this.#host = host;
    this.req = req;
    this.route = route;
    // The caller's deadline (0 = none) capped by the method's timeout, both
    // counted from arrival, so time spent queued counts.
    const budget = req.deadlineMs > 0 ? Math.min(req.deadlineMs, route.timeoutMs) : route.timeoutMs;
    this.deadline = req.receivedAt + budget;
    // Counted against the byte budget from admission until the call leaves.
    let bytes = 0;
    for (let i = 0; i < req.body.length; i++) bytes += req.body[i]!.length;
    this.bytes = bytes;
    this.criticality = criticalityRank(req.meta);
  }

  /** The request body's size in bytes, as the bulkhead's byte budget counts it. */
  readonly bytes: number;

  /** Queued for a slot, not yet started. */
  get waiting(): boolean {
    return this.#state === WAITING;
  }

  /** Runs the call now, queues it, or sheds it. */
  admit(): void {
    switch (this.#host.bulkhead.enter(this.route.lane, this, this.bytes)) {
      case 'overloaded':
        this.#settle(
          { status: Status.OVERLOADED, message: `${this.route.name} is overloaded; try again later` },
          true,
        );
        return;
      case 'queued':
        this.#listenForCancel();
        break;
      case 'run':
        this.#begin();
        break;
    }
    // Watched only now: a call that finished synchronously needs no deadline.
    if (this.#state !== SETTLED) this.#host.deadlines.add(this, this.deadline);
  }

  /** Waiter: the bulkhead gave this queued call its slots. */
  start(): void {
    this.#begin();
  }

  /** Waiter: evicted from the queue (already out of it) for a more critical call. */
  shed(): void {
    this.#settle(
      {
        status: Status.OVERLOADED,
        message: `${this.route.name} is overloaded; shed for a more critical call`,
      },
      true,
    );
  }

  /** The deadline passed (called by the host's deadline heap). */
  expire(): void {
    const waited = this.#state === WAITING;
    this.#stop(
      {
        status: Status.DEADLINE_EXCEEDED,
        message: waited ? 'deadline exceeded while queued' : `deadline exceeded in ${this.route.name}`,
      },
      waited,
      () => new DeadlineExceededError('deadline exceeded'),
    );
  }

  /** The server is closing and its grace period is over. */
  abort(): void {
    if (this.#state === WAITING) {
      this.#stop(
        { status: Status.UNAVAILABLE, message: 'server closed before the call ran' },
        true,
        () => undefined,
      );
    } else {
      this.#stop(
        { status: Status.CANCELLED, message: 'server closed before the call finished' },
        false,
        () => new CancelledError('server closing'),
      );
    }
  }

  #listenForCancel(): void {
    if (this.#listening) return;
    this.#listening = true;
    // Creating the transport's signal costs an AbortController, so only
    // queued calls (which must leave the queue at once) listen; a running
    // handler learns of a cancel through ctx.signal, if it looks.
    const signal = this.req.signal;
    const onAbort = (): void =>
      this.#stop({ status: Status.CANCELLED, message: `cancelled (${this.req.abortReason})` }, false, () =>
        cancelledReason(this.req),
      );
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  }

  #begin(): void {
    this.#state = RUNNING;
    this.#holding = true;
    let result: StandardSchemaV1.Result<unknown> | Promise<StandardSchemaV1.Result<unknown>>;
    try {
      const input = decodeBodyWith(this.#host.bodies, this.req.takeBody(), this.req.contentType);
      result = this.route.input['~standard'].validate(input);
    } catch (err) {
      this.#fail(err);
      return;
    }
    if (isThenable(result)) {
      result.then(
        (r) => this.#onInput(r),
        (err) => this.#fail(err),
      );
    } else {
      this.#onInput(result);
    }
  }

  #onInput(result: StandardSchemaV1.Result<unknown>): void {
    if (this.#state === SETTLED) {
      this.#release();
      return;
    }
    if (result.issues !== undefined) {
      this.#release();
      this.#settle(
        {
          status: Status.BAD_REQUEST,
          message: 'invalid input',
          details: { issues: toIssues(result.issues) },
        },
        false,
      );
      return;
    }
    const ctx = new RequestContext(
      this.#host.service,
      this.route.name,
      this.deadline,
      this.req,
      this.#host.log,
      this.trace,
    );
    this.#ctx = ctx;
    let output: unknown;
    try {
      const input = result.value;
      output =
        this.trace === undefined
          ? this.route.invoke(input, ctx)
          : runInSpan(this.trace, () => this.route.invoke(input, ctx));
    } catch (err) {
      this.#fail(err);
      return;
    }
    if (isThenable(output)) {
      output.then(
        (value) => this.#onOutput(value),
        (err) => this.#fail(err),
      );
    } else {
      this.#onOutput(output);
    }
  }

  #onOutput(value: unknown): void {
    this.#release();
    // Settled by a deadline, cancel or close while the handler ran: a late result is dropped.
    if (this.#state === SETTLED) return;
    const schema = this.route.output;
    if (schema === undefined) {
      this.#succeed(value);
      return;
    }
    let result: StandardSchemaV1.Result<unknown> | Promise<StandardSchemaV1.Result<unknown>>;
    try {
      result = schema['~standard'].validate(value);
    } catch (err) {
      this.#fail(err);
      return;
    }
    if (isThenable(result)) {
      result.then(
        (r) => this.#onCheckedOutput(r),
        (err) => this.#fail(err),
      );
    } else {
      this.#onCheckedOutput(result);
    }
  }

  #onCheckedOutput(result: StandardSchemaV1.Result<unknown>): void {
    if (this.#state === SETTLED) return;
    if (result.issues !== undefined) {
      // The handler broke its own contract: the server's bug, not the caller's.
      this.#context().log.error({ issues: toIssues(result.issues) }, 'reply failed output validation');
      this.#settle({ status: Status.INTERNAL, message: 'internal error' }, false);
      return;
    }
    this.#succeed(result.value);
  }

  #succeed(value: unknown): void {
    let body: Buffer[];
    try {
      body = encodeBody(value);
    } catch (err) {
      this.#fail(err);
      return;
    }
    this.#settle({ status: Status.OK, body }, false);
  }

  #fail(err: unknown): void {
    this.#release();
    if (this.#state === SETTLED) {
      // Usually the handler reacting to its aborted signal; worth a trace, not an alarm.
      this.#context().log.debug({ err }, 'handler failed after its call was settled');
      return;
    }
    let error = toCourierError(err);
    if (!(err instanceof CourierError)) this.#context().log.error({ err }, 'handler failed');
    else if (error.code === 'INTERNAL') this.#context().log.error({ err }, 'handler failed with INTERNAL');
    else if (NOT_EXECUTED.has(error.status) && isFromCall(err)) {
      // A downstream call's refusal that escaped the handler. This server
      // did run the call (perhaps in part), so passing on OVERLOADED or
      // UNAVAILABLE, which promise the caller it did not, would let the
      // caller retry a non-idempotent call into a second run. (Retrying one
      // layer up would also multiply the load on the failing dependency.)
      this.#context().log.warn({ err }, 'handler failed: a call it made was refused');
      error = new InternalError(`a call the handler made failed with ${error.code}: ${error.message}`, {
        cause: err,
      });
    }
    this.#settle(
      { status: error.status, message: error.message, details: this.#sendable(error.details) },
      false,
    );
  }

  /**
   * Details the wire can carry, or none. Checked here because the transport
   * encodes the reply only as it sends it, when a failure could no longer be
   * answered (the request already counts as replied).
   */
  #sendable(details: unknown): unknown {
    if (details === undefined) return undefined;
    try {
      msgpack.pack(details);
      return details;
    } catch (err) {
      this.#context().log.error({ err }, 'error details cannot be encoded; sent without them');
      return undefined;
    }
  }

  /** Ends a call from outside (deadline, cancel, close): leave the queue or abort the handler. */
  #stop(reply: OutgoingReply, refused: boolean, reason: () => unknown): void {
    if (this.#state === SETTLED) return;
    if (this.#state === WAITING) this.#host.bulkhead.remove(this.route.lane, this);
    this.#settle(reply, refused);
    // After settling, so whatever the handler does on abort can no longer reply.
    this.#ctx?.stop(reason());
  }

  /** The one way a call ends. */
  #settle(reply: OutgoingReply, refused: boolean): void {
    if (this.#state === SETTLED) return;
    this.#state = SETTLED;
    this.#host.deadlines.remove(this);
    this.#host.finish(this, reply, refused);
  }

  #release(): void {
    if (!this.#holding) return;
    this.#holding = false;
    const lane = this.route.lane;
    // From arrival, so time queued counts: that is what overload inflates.
    if (lane.limiter.measures) {
      lane.limiter.sample(performance.now() - this.req.receivedAt, lane.active + lane.queued);
    }
    this.#host.bulkhead.leave(lane, this.bytes);
    this.#host.released();
  }

  /** The handler's context, or one made for logging when the call failed before the handler ran. */
  #context(): RequestContext {
    this.#ctx ??= new RequestContext(
      this.#host.service,
      this.route.name,
      this.deadline,
      this.req,
      this.#host.log,
      this.trace,
    );
    return this.#ctx;
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  );
}
