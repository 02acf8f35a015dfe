import { performance } from 'node:perf_hooks';
import { localReply, MetaKey, MsgpackDecoder, type Reply, Status, statusName } from '@courier/transport';
import { HANDSHAKE_FAILED } from '@courier/transport/internal';
import { decodeBodyWith, encodeBody } from '../codec.js';
import type { CallOptions } from '../context.js';
import { clientCallEndChannel, clientRetryChannel } from '../diagnostics.js';
import {
  BadRequestError,
  ClientConfigError,
  CourierError,
  errorFromStatus,
  InternalError,
} from '../errors.js';
import { markFromCall } from '../from-call.js';
import { MAX_TIMER_MS } from '../max-timer.js';
import { shutdownCoordinator } from '../shutdown/coordinator.js';
import { recordUnsentCall, startClientAttempt } from '../tracing/client-span.js';
import { THROTTLED, Throttles } from './adaptive-throttle.js';
import { type CallScope, type ResolvedCall, resolveCall } from './call-scope.js';
import { atLeast } from './check-option.js';
import { Endpoint } from './endpoint.js';
import { EndpointPool } from './endpoint-pool.js';
import type { ClientOptions } from './options.js';
import { RetryPolicy } from './retry.js';
import { RetryBudget } from './retry-budget.js';
import { sleep } from './wait.js';

/** Wire names kept per Invoker; past this, a name is made per call. */
const MAX_CACHED_WIRE_NAMES = 256;

/**
 * Runs calls for one service: picks endpoints, sends attempts, retries what
 * may be retried, and turns the outcome into a value or a typed error. Every
 * client view of the service shares one Invoker (and so its connections).
 */
export class Invoker {
  /** The service, or '' for a client of whatever serves its endpoints (see createDynamicClient). */
  readonly service: string;
  readonly pool: EndpointPool;
  /** What a method name is prefixed with on the wire: `<service>.`, or nothing. */
  readonly #prefix: string;
  readonly #deadlineMs: number;
  readonly #retry: RetryPolicy;
  readonly #budget: RetryBudget | undefined;
  readonly #meta: Record<string, string> | undefined;
  readonly #throttles: Throttles | undefined;
  /** A signal's shutdown closes the client after the servers drained (their handlers may still call through it). */
  readonly #unregister: () => void;
  /** The wire name (`#prefix` + method) per method, made once: a fresh string per call is garbage, and the transport's method-bytes cache compares by value. */
  readonly #wireNames = new Map<string, string>();
  /** This client's reply decoder: its key cache serves this service's replies alone. */
  readonly #bodies = new MsgpackDecoder();

  constructor(service: string, options: ClientOptions) {
    this.service = service;
    this.#prefix = service === '' ? '' : `${service}.`;
    const random = options.random ?? Math.random;
    const now = options.now ?? (() => performance.now());
    this.#deadlineMs = atLeast('client', 'deadlineMs', options.deadlineMs ?? 5000, 1);
    const retry =
      options.retry === false ? { maxAttempts: 1, budget: false as const } : (options.retry ?? {});
    this.#retry = new RetryPolicy(retry, random);
    this.#budget = retry.budget === false ? undefined : new RetryBudget(retry.budget ?? {}, now);
    this.#meta = options.caller === undefined ? undefined : { [MetaKey.CALLER]: options.caller };
    this.#throttles =
      options.throttle === false ? undefined : new Throttles(options.throttle ?? {}, now, random);
    if ((options.endpoints === undefined) === (options.discovery === undefined)) {
      throw new ClientConfigError(
        'ERR_COURIER_CLIENT_OPTIONS',
        'a client needs exactly one of `endpoints` or `discovery`',
      );
    }
    this.pool = new EndpointPool(
      service,
      options.endpoints === undefined ? { discovery: options.discovery! } : { initial: options.endpoints },
      {
        transport:
          options.security === undefined
            ? (options.transport ?? {})
            : { ...options.transport, security: options.security },
        breaker:
          options.circuitBreaker === false || options.circuitBreaker === undefined
            ? undefined
            : options.circuitBreaker,
        now,
      },
      random,
      options.outlierDetection === false ? undefined : (options.outlierDetection ?? {}),
    );
    this.#unregister = shutdownCoordinator.register({
      phase: 'clients',
      name: `client of ${service}`,
      close: () => this.close(),
    });
  }

  /**
   * Calls `<service>.<method>`. Resolves with the decoded reply or rejects
   * with a CourierError. The error is made here, after the reply was
   * awaited, so V8's async stack trace shows the caller's frames (and never
   * the server's).
   */
  async call(
    method: string,
    idempotent: boolean,
    input: unknown,
    scope: CallScope,
    options: CallOptions | undefined,
  ): Promise<unknown> {
    const started = performance.now();
    const call = resolveCall(scope, options, started, this.#deadlineMs, this.#meta);
    const body = encodeInput(input);
    this.#budget?.deposit();
    const wireMethod = this.#wireName(method);
    // Most calls take one attempt: the set of endpoints tried is made only for a retry.
    let tried: Set<Endpoint> | undefined;
    let first: Endpoint | undefined;
    const callId = ++lastCallId;
    let endpoint: string | undefined;
    let attempts = 0;
    let reply: Reply | undefined;
    const throttle = this.#throttles?.for(method);
    for (;;) {
      if (first !== undefined && tried === undefined) tried = new Set([first]);
      const picked = this.#pickNow(call, tried) ?? (await this.#waitForEndpoint(call, tried));
      if (!(picked instanceof Endpoint)) {
        reply = picked;
        break;
      }
      // Judged only for a call that would be sent: a call with no endpoint is not a request the server refused.
      if (throttle !== undefined && !throttle.allow()) {
        // A retry refused here ends with the server's refusal it followed.
        reply ??= throttledReply();
        break;
      }
      attempts++;
      if (tried === undefined) first = picked;
      else tried.add(picked);
      endpoint = picked.address;
      // undefined (and nothing made) unless an OpenTelemetry SDK is registered.
      const traced = startClientAttempt(this.service, method, endpoint, attempts, call.meta);
      reply = await picked.request({
        method: wireMethod,
        body,
        // Positive even if the clock moved past the deadline since the pick (the
        // transport then times out at once), and within what a timer can hold.
        deadlineMs: Math.min(Math.max(call.deadline - performance.now(), 0.001), MAX_TIMER_MS),
        meta: traced === undefined ? call.meta : traced.meta,
        signal: call.signal,
      });
      traced?.end(reply);
      if (throttle !== undefined && !reply.local) throttle.answered(reply.status !== Status.OVERLOADED);
      // While the throttle rejects, the servers refuse most calls: a retry would only add to their load.
      if (reply.status === Status.OVERLOADED && throttle !== undefined && throttle.rejectProbability > 0)
        break;
      const delay = this.#retryDelay(reply, idempotent, attempts, call);
      if (delay === undefined) break;
      if (clientRetryChannel.hasSubscribers) {
        clientRetryChannel.publish({
          service: this.service,
          method,
          reason: statusName(reply.status) ?? String(reply.status),
          callId,
          endpoint,
        });
      }
      if (!(await sleep(delay, call.signal, performance.now()))) {
        reply = localReply(Status.CANCELLED, 'cancelled by the caller while waiting to retry');
        break;
      }
    }
    if (attempts === 0) recordUnsentCall(this.service, method, call.meta, reply);
    if (clientCallEndChannel.hasSubscribers) {
      clientCallEndChannel.publish({
        service: this.service,
        method,
        status: statusName(reply.status) ?? String(reply.status),
        durationSeconds: (performance.now() - started) / 1000,
        attempts,
        callId,
        endpoint,
        local: reply.local,
      });
    }
    if (reply.status === Status.OK) return decodeOutput(this.#bodies, reply, wireMethod);
    // A local failure can be decided without any I/O (no endpoint usable),
    // and a rejection alone only queues a microtask: a caller's tight loop
    // of failing calls would then never let timers, sockets, or this
    // client's own recovery (hearing the endpoint again) run. Settling on
    // the next turn of the loop paces such a loop to one call per turn.
    if (reply.local) await nextTurn();
    throw markFromCall(errorFromStatus(reply.status, reply.message, reply.details), {
      callId,
      endpoint,
      local: reply.local,
      attempts,
    });
  }

  #wireName(method: string): string {
    let name = this.#wireNames.get(method);
    if (name === undefined) {
      name = this.#prefix + method;
      // Bounded: a dynamic client may be called with any number of method names.
      if (this.#wireNames.size < MAX_CACHED_WIRE_NAMES) this.#wireNames.set(method, name);
    }
    return name;
  }

  /** An endpoint, or the local outcome that ends the call, when that is known without waiting. */
  #pickNow(call: ResolvedCall, tried: ReadonlySet<Endpoint> | undefined): Endpoint | Reply | undefined {
    if (call.signal?.aborted) return localReply(Status.CANCELLED, 'cancelled by the caller');
    if (call.deadline <= performance.now()) {
      return localReply(Status.DEADLINE_EXCEEDED, 'the deadline passed before the call was sent');
    }
    const endpoint = this.pool.pick(tried);
    if (endpoint !== undefined) return endpoint;
    // Nothing usable: wait only for what is about to come up by itself.
    if (!this.pool.worthWaiting) {
      const reply = localReply(Status.UNAVAILABLE, this.pool.describeUnavailable());
      // Every endpoint refused our keys: say so in the code, not only the message.
      if (this.pool.handshakeFailed) reply.details = { code: HANDSHAKE_FAILED };
      return reply;
    }
    return undefined;
  }

  /**
   * Waits, within the call's deadline, while discovery has not answered yet
   * or endpoints are still connecting, so the first calls of a new client go
   * to an endpoint known to be up rather than to whichever was listed first.
   */
  async #waitForEndpoint(
    call: ResolvedCall,
    tried: ReadonlySet<Endpoint> | undefined,
  ): Promise<Endpoint | Reply> {
    for (;;) {
      const result = await this.pool.waitForChange(call.deadline, call.signal, performance.now());
      if (result === 'deadline') {
        return localReply(
          Status.DEADLINE_EXCEEDED,
          `no endpoint came up in time: ${this.pool.describeUnavailable()}`,
        );
      }
      const picked = this.#pickNow(call, tried);
      if (picked !== undefined) return picked;
    }
  }

  /** The backoff before another attempt, or undefined when this outcome is final. */
  #retryDelay(reply: Reply, idempotent: boolean, attempts: number, call: ResolvedCall): number | undefined {
    if (reply.status === Status.OK || !this.#retry.retryable(reply, idempotent, attempts)) return undefined;
    const delay = this.#retry.backoffMs(attempts);
    // A retry that cannot start before the deadline would only turn a clear
    // error into DEADLINE_EXCEEDED; the budget is spent only on retries that happen.
    if (performance.now() + delay >= call.deadline) return undefined;
    if (this.#budget !== undefined && !this.#budget.tryWithdraw()) return undefined;
    return delay;
  }

  close(): Promise<void> {
    this.#unregister();
    return this.pool.close();
  }
}

/** Ids of this process's client calls, for telling them apart in errors and diagnostics. */
let lastCallId = 0;

function throttledReply(): Reply {
  const reply = localReply(Status.OVERLOADED, 'throttled by the client: the server refuses most calls');
  reply.details = { code: THROTTLED };
  return reply;
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function encodeInput(input: unknown): Buffer[] {
  try {
    return encodeBody(input);
  } catch (cause) {
    throw new BadRequestError(`the input cannot be encoded as MessagePack: ${(cause as Error).message}`, {
      cause,
    });
  }
}

function decodeOutput(decoder: MsgpackDecoder, reply: Reply, wireMethod: string): unknown {
  try {
    return decodeBodyWith(decoder, reply.body, reply.contentType);
  } catch (err) {
    // decodeBody blames the sender; here the sender is the server.
    const cause = err instanceof CourierError ? err.cause : err;
    throw new InternalError(`the reply to ${wireMethod} cannot be decoded`, { cause });
  }
}
