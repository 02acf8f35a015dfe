import type { TransportServer } from '@courier/transport';
import type { Logger } from 'pino';
import type { ComputePool } from '../compute/pool.js';
import type { AnyService } from '../definition.js';
import { type ServerLifecycle, type ServerStats, serverLifecycleChannel } from '../diagnostics.js';
import type { Dispatcher } from './dispatcher.js';
import { graceMs as checkGraceMs } from './options.js';
import { onShutdownSignal } from './shutdown-signals.js';

/** A running service. Close it (or `await using` it) to stop. */
export interface Server<TService extends AnyService = AnyService> extends AsyncDisposable {
  readonly definition: TService;
  /** The bound endpoints, with wildcard ports resolved: what clients connect to. */
  readonly endpoints: readonly string[];
  /** Per-method running and queued calls, and whether the server is draining. */
  stats(): ServerStats;
  /**
   * Stops taking new calls: clients are told (DISCONNECT) and send new calls
   * elsewhere; calls that still arrive get UNAVAILABLE; built-ins still
   * answer (`_health` says 'draining'). Resolves when every call already
   * accepted, running or queued, has finished, including handlers still
   * running after their call was answered (deadline, cancel). Idempotent.
   */
  drain(): Promise<void>;
  /**
   * Drains, waits up to `graceMs` for accepted calls to finish, then settles
   * the rest (queued: UNAVAILABLE, never ran; running: CANCELLED, their
   * `ctx.signal` aborts) and closes the socket. Every call gets its outcome
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
  readonly signals: readonly NodeJS.Signals[];
  readonly pool?: ComputePool;
}

export class CourierServer<TService extends AnyService> implements Server<TService> {
  readonly definition: TService;
  readonly #transport: TransportServer;
  readonly #dispatcher: Dispatcher;
  readonly #log: Logger;
  readonly #graceMs: number;
  readonly #signals: readonly NodeJS.Signals[];
  readonly #pool: ComputePool | undefined;
  /** One function for the server's whole life: observers tell servers apart by it. */
  readonly #statsFn = (): ServerStats => this.stats();
  #removeSignalListeners: () => void = () => {};
  #drained: Promise<void> | undefined;
  #closed: Promise<void> | undefined;

  constructor(parts: ServerParts) {
    this.definition = parts.definition as TService;
    this.#transport = parts.transport;
    this.#dispatcher = parts.dispatcher;
    this.#log = parts.log;
    this.#graceMs = parts.graceMs;
    this.#signals = parts.signals;
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
    if (this.#signals.length > 0) {
      this.#removeSignalListeners = onShutdownSignal(this.#signals, (signal) => {
        this.#log.info({ signal }, 'shutting down');
        this.close().catch((err: unknown) => this.#log.error({ err }, 'shutdown failed'));
      });
    }
    this.#log.info({ endpoints: this.endpoints }, 'serving');
    this.#publish('started');
  }

  async #close(graceMs: number): Promise<void> {
    this.#removeSignalListeners();
    const drained = this.drain();
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(resolve, graceMs, 'timeout');
    });
    const outcome = await Promise.race([drained, graceOver]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      this.#log.warn({ graceMs, stats: this.stats() }, 'grace period over; cancelling what is left');
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

  #publish(event: ServerLifecycle['event']): void {
    if (serverLifecycleChannel.hasSubscribers) {
      const payload: ServerLifecycle = { event, service: this.definition.name, stats: this.#statsFn };
      serverLifecycleChannel.publish(payload);
    }
  }
}
