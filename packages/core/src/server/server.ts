import { performance } from 'node:perf_hooks';
import type { TransportServer } from '@courier/transport';
import type { Logger } from 'pino';
import type { ComputePool } from '../compute/pool-api.js';
import type { AnyService } from '../definition.js';
import { type ServerLifecycle, type ServerStats, serverLifecycleChannel } from '../diagnostics.js';
import { shutdownCoordinator } from '../shutdown/coordinator.js';
import type { Dispatcher } from './dispatcher.js';
import { graceMs as checkGraceMs } from './options.js';

/** A running service. Close it (or `await using` it) to stop. */
export interface Server<TService extends AnyService = AnyService> extends AsyncDisposable {
  readonly definition: TService;
  /** The bound endpoints, with wildcard ports resolved: what clients connect to. */
  readonly endpoints: readonly string[];
  /** Per-method running and queued calls, and whether the server is draining. */
  stats(): ServerStats;
  /**
   * Stops taking new calls: clients are told (DISCONNECT) and send new calls
   * elsewhere. Calls they sent before they heard it, arriving while accepted
   * calls are still running, are served too; once none is left, calls that
   * still arrive get UNAVAILABLE (not executed: clients retry them on
   * another server). Built-ins always answer (`_health` says 'draining').
   * Resolves when every call accepted, running or queued, has finished,
   * including handlers still running after their call was answered
   * (deadline, cancel). Idempotent.
   */
  drain(): Promise<void>;
  /**
   * Drains and waits up to `graceMs` for accepted calls to finish, then
   * settles the rest (queued: UNAVAILABLE, never ran; running: CANCELLED,
   * their `ctx.signal` aborts). When the drain finished in time and clients
   * are connected, the socket stays open (refusing calls) until a heartbeat
   * interval has passed since they were told, still within `graceMs`, so a
   * call sent just before a client heard DISCONNECT is refused and retried
   * rather than lost. Then it closes the socket. Every call gets its outcome
   * before the socket closes. Idempotent: later calls return the same promise.
   */
  close(options?: { graceMs?: number }): Promise<void>;
}

export interface ServerParts {
  readonly definition: AnyService;
  readonly transport: TransportServer;
  readonly dispatcher: Dispatcher;
  readonly log: Logger;
  readonly graceMs: number;
  /** How long after DISCONNECT the socket stays open at least: the heartbeat interval. */
  readonly settleMs: number;
  readonly signals: readonly NodeJS.Signals[];
  /** Whether the process exits once a signal's shutdown has closed everything. */
  readonly exitOnSignal: boolean;
  readonly pool?: ComputePool;
}

export class CourierServer<TService extends AnyService> implements Server<TService> {
  readonly definition: TService;
  readonly #transport: TransportServer;
  readonly #dispatcher: Dispatcher;
  readonly #log: Logger;
  readonly #graceMs: number;
  readonly #settleMs: number;
  readonly #signals: readonly NodeJS.Signals[];
  readonly #exitOnSignal: boolean;
  readonly #pool: ComputePool | undefined;
  /** One function for the server's whole life: observers tell servers apart by it. */
  readonly #statsFn = (): ServerStats => this.stats();
  #disarm: () => void = () => {};
  #unregister: () => void = () => {};
  #drained: Promise<void> | undefined;
  /** When clients were told to drain (performance.now()). */
  #drainStartedAt = 0;
  #closed: Promise<void> | undefined;

  constructor(parts: ServerParts) {
    this.definition = parts.definition as TService;
    this.#transport = parts.transport;
    this.#dispatcher = parts.dispatcher;
    this.#log = parts.log;
    this.#graceMs = parts.graceMs;
    this.#settleMs = parts.settleMs;
    this.#signals = parts.signals;
    this.#exitOnSignal = parts.exitOnSignal;
    this.#pool = parts.pool;
  }

  get endpoints(): readonly string[] {
    return this.#transport.endpoints;
  }

  stats(): ServerStats {
    return this.#dispatcher.stats();
  }

  drain(): Promise<void> {
    if (this.#drained === undefined) {
      this.#dispatcher.startDraining();
      this.#transport.drain();
      this.#drainStartedAt = performance.now();
      this.#log.info('draining');
      this.#publish('draining');
      this.#drained = this.#dispatcher.whenIdle();
    }
    return this.#drained;
  }

  close(options: { graceMs?: number } = {}): Promise<void> {
    this.#closed ??= this.#close(checkGraceMs(options.graceMs ?? this.#graceMs));
    return this.#closed;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** @internal Called once the socket is bound. */
  started(): void {
    // Registered even without signals: another server's signal still closes this one before the process exits.
    this.#unregister = shutdownCoordinator.register({
      phase: 'servers',
      name: `server ${this.definition.name}`,
      close: () => {
        this.#log.info('shutting down');
        return this.close();
      },
    });
    if (this.#signals.length > 0) {
      this.#disarm = shutdownCoordinator.arm({
        signals: this.#signals,
        graceMs: this.#graceMs,
        exit: this.#exitOnSignal,
      });
    }
    this.#log.info({ endpoints: this.endpoints }, 'serving');
    this.#publish('started');
  }

  async #close(graceMs: number): Promise<void> {
    this.#disarm();
    this.#unregister();
    const graceEnds = performance.now() + graceMs;
    const outcome = await until(this.drain(), graceEnds);
    if (outcome === 'timeout') {
      this.#log.warn({ graceMs, stats: this.stats() }, 'grace period over; cancelling what is left');
    } else {
      await this.#settle(graceEnds);
    }
    // Everything still unsettled is answered here, before the socket closes.
    this.#dispatcher.abortAll();
    this.#dispatcher.close();
    await this.#transport.close();
    // Every call is settled, so no task is left running: this stops the workers.
    await this.#pool?.close();
    this.#log.info('stopped');
    this.#publish('stopped');
  }

  /**
   * Keeps the socket open, refusing calls, until a heartbeat interval has
   * passed since clients were told to drain (or the grace period ends). A
   * request a client sent just before it heard DISCONNECT may still be on
   * its way, and a server with little to finish is idle before it arrives.
   * Once the socket is closed such a request is lost: its caller learns it
   * only from its liveness check, as an UNAVAILABLE that may not be retried
   * for a non-idempotent method (as far as it knows, the call may have run).
   * Refused here instead, it is retried elsewhere. The heartbeat interval is
   * the time scale on which the deployment expects traffic, far longer than
   * a round trip; with no client connected there is nothing to wait for.
   */
  async #settle(graceEnds: number): Promise<void> {
    const settleEnds = Math.min(this.#drainStartedAt + this.#settleMs, graceEnds);
    const wait = settleEnds - performance.now();
    if (this.#transport.peerCount === 0 || wait <= 0) return;
    await new Promise((resolve) => setTimeout(resolve, wait));
  }

  #publish(event: ServerLifecycle['event']): void {
    if (serverLifecycleChannel.hasSubscribers) {
      const payload: ServerLifecycle = { event, service: this.definition.name, stats: this.#statsFn };
      serverLifecycleChannel.publish(payload);
    }
  }
}

/** Waits for `promise` until `deadline` (a performance.now() timestamp), whichever comes first. */
async function until<T>(promise: Promise<T>, deadline: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(resolve, Math.max(0, deadline - performance.now()), 'timeout');
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
