import { performance } from 'node:perf_hooks';
import {
  type IncomingRequest,
  MsgpackDecoder,
  type OutgoingReply,
  Status,
  statusName,
} from '@courier/transport';
import { DeadlineHeap } from '@courier/transport/internal';
import type { Logger } from 'pino';
import { BuiltinMethod, type HealthReport, type ServiceDescription } from '../builtins.js';
import { encodeBody } from '../codec.js';
import type { ComputePool } from '../compute/pool-api.js';
import type { AnyService } from '../definition.js';
import { type ServerStats, serverRequestEndChannel } from '../diagnostics.js';
import { endServerSpan, startServerSpan } from '../tracing/server-span.js';
import type { AccessPolicy } from './access.js';
import { Bulkhead } from './bulkhead.js';
import { Call, type CallHost } from './call.js';
import { describeService } from './describe.js';
import type { ResolvedLimits } from './options.js';
import { buildRoutes, type Route } from './routes.js';

/** Method label for requests that name no method of this service (keeps metric labels bounded). */
const UNKNOWN_METHOD = 'unknown';

/**
 * Turns transport requests into calls: routing, built-ins, refusal once
 * drained, and the record of every outcome. It owns the bulkhead and the
 * deadline watch, and knows which calls are still unsettled.
 *
 * Draining has two stages. While accepted calls are still unsettled, calls
 * that arrive are served like any other: the clients were told to stop
 * (DISCONNECT), so what still arrives was sent before they heard it, and
 * serving it is what HTTP/2's GOAWAY does with streams already sent. This
 * way a rolling restart costs no retries in the common case, and callers
 * with retries off lose nothing. Once nothing is left (idle), calls are
 * refused with UNAVAILABLE, which tells the caller the call was not
 * executed, so it is retried elsewhere whatever the method: this bounds the
 * drain even if a client ignores DISCONNECT, and lets close() stop without
 * cancelling work it accepted.
 */
export class Dispatcher implements CallHost {
  readonly service: string;
  readonly log: Logger;
  readonly bulkhead: Bulkhead;
  /** Unref'd: the socket and the handlers' own I/O keep the process alive, not deadlines. */
  readonly deadlines = new DeadlineHeap<Call>((call) => call.expire(), { ref: false });
  readonly bodies = new MsgpackDecoder();
  readonly #definition: AnyService;
  readonly #pool: ComputePool | undefined;
  readonly #routes: Map<string, Route>;
  readonly #methodNames: string[];
  readonly #live = new Set<Call>();
  readonly #startedAt = performance.now();
  #description: ServiceDescription | undefined;
  #draining = false;
  /** Drained and idle: calls are refused from now on. */
  #refusing = false;
  #idle: { promise: Promise<void>; resolve: () => void } | undefined;

  readonly #access: AccessPolicy | undefined;

  constructor(
    definition: AnyService,
    limits: ResolvedLimits,
    log: Logger,
    pool?: ComputePool,
    access?: AccessPolicy,
  ) {
    this.#access = access;
    this.#definition = definition;
    this.#pool = pool;
    this.service = definition.name;
    this.log = log;
    this.bulkhead = new Bulkhead(limits.service, limits.maxInflightBytes);
    this.#routes = buildRoutes(
      definition,
      limits,
      this.bulkhead,
      {
        [BuiltinMethod.HEALTH]: () => this.#health(),
        [BuiltinMethod.DESCRIBE]: () => {
          this.#description ??= describeService(definition, limits);
          return this.#description;
        },
      },
      pool,
    );
    this.#methodNames = [...Object.keys(definition.methods), ...Object.values(BuiltinMethod)];
  }

  get draining(): boolean {
    return this.#draining;
  }

  /** The transport's onRequest. */
  readonly onRequest = (req: IncomingRequest): void => {
    const route = this.#routes.get(req.method);
    const denied =
      route === undefined ? undefined : this.#access?.check(req, route.name, route.kind === 'builtin');
    if (route === undefined || denied === 'hidden') {
      this.#respond(req, UNKNOWN_METHOD, this.#notFound(req.method), false);
    } else if (denied !== undefined) {
      this.#respond(req, route.name, denied, false);
    } else if (route.kind === 'builtin') {
      this.#respond(req, route.name, this.#runBuiltin(route.run), false);
    } else if (this.#refusing) {
      this.#respond(req, route.name, { status: Status.UNAVAILABLE, message: 'server is draining' }, true);
    } else {
      const call = new Call(this, req, route);
      call.trace = startServerSpan(this.service, route.name, req);
      this.#live.add(call);
      call.admit();
    }
  };

  finish(call: Call, reply: OutgoingReply, refused: boolean): void {
    this.#live.delete(call);
    this.#respond(call.req, call.route.name, reply, refused);
    if (call.trace !== undefined) {
      const left = call.req.abortReason !== undefined;
      endServerSpan(call.trace, left ? Status.CANCELLED : reply.status, left ? 'cancelled' : reply.message);
    }
    this.released();
  }

  released(): void {
    if (this.#live.size > 0 || this.bulkhead.active > 0) return;
    // Synchronously with becoming idle, so no call is accepted after whenIdle() resolved.
    if (this.#draining) this.#refusing = true;
    this.#idle?.resolve();
  }

  /**
   * Starts draining: calls that arrive are still served while accepted ones
   * are unsettled, and refused once none is (built-ins are always answered).
   */
  startDraining(): void {
    this.#draining = true;
    this.released();
  }

  /** Whether calls are refused now (draining, and nothing was left to finish). */
  get refusing(): boolean {
    return this.#refusing;
  }

  /**
   * Resolves once no call is unsettled and no handler is running. Called
   * after startDraining(), it resolves when calls start being refused.
   */
  whenIdle(): Promise<void> {
    if (this.#idle === undefined) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => {
        resolve = r;
      });
      this.#idle = { promise, resolve };
      this.released();
    }
    return this.#idle.promise;
  }

  /**
   * Settles every unsettled call: queued ones first, so none starts while
   * running ones are aborted. Calls are refused from now on.
   */
  abortAll(): void {
    this.#refusing = true;
    const live = [...this.#live];
    for (const call of live) if (call.waiting) call.abort();
    for (const call of live) call.abort();
  }

  close(): void {
    this.deadlines.clear();
  }

  stats(): ServerStats {
    return {
      service: this.service,
      draining: this.#draining,
      methods: this.bulkhead.lanes.map((lane) => ({
        method: lane.name,
        inflight: lane.active,
        queued: lane.queued,
      })),
      ...(this.#pool !== undefined && { pool: this.#pool.stats() }),
    };
  }

  /** Every outcome, whether of a call or answered directly, leaves through here. */
  #respond(req: IncomingRequest, method: string, reply: OutgoingReply, refused: boolean): void {
    try {
      req.reply(reply);
    } catch (err) {
      // Never expected (calls check their details first); must not escape
      // into a handler's promise chain. Try a plain answer in case the
      // transport failed before counting the reply as sent.
      this.log.error({ err, method }, 'reply could not be sent');
      req.reply({ status: Status.INTERNAL, message: 'internal error' });
    }
    if (serverRequestEndChannel.hasSubscribers) {
      // A request whose caller left (cancel, lost peer) got no reply, whatever the handler returned.
      const status = req.abortReason !== undefined ? Status.CANCELLED : reply.status;
      serverRequestEndChannel.publish({
        service: this.service,
        method,
        status: statusName(status) ?? String(status),
        durationSeconds: (performance.now() - req.receivedAt) / 1000,
        refused,
      });
    }
  }

  #runBuiltin(run: () => unknown): OutgoingReply {
    try {
      return { status: Status.OK, body: encodeBody(run()) };
    } catch (err) {
      this.log.error({ err }, 'built-in method failed');
      return { status: Status.INTERNAL, message: 'internal error' };
    }
  }

  #health(): HealthReport {
    return {
      status: this.#draining ? 'draining' : 'ok',
      service: this.service,
      version: this.#definition.version,
      uptimeSeconds: (performance.now() - this.#startedAt) / 1000,
      inflight: this.bulkhead.active,
    };
  }

  #notFound(wireName: string): OutgoingReply {
    const dot = wireName.indexOf('.');
    const service = dot < 0 ? wireName : wireName.slice(0, dot);
    const quoted = (s: string): string => JSON.stringify(s.length > 100 ? `${s.slice(0, 100)}...` : s);
    const message =
      service === this.service
        ? `unknown method ${quoted(wireName.slice(dot + 1))} in service ${this.service}`
        : `unknown service ${quoted(service)}: this server is ${this.service}`;
    return {
      status: Status.NOT_FOUND,
      message,
      details: { service: this.service, methods: this.#methodNames },
    };
  }
}
