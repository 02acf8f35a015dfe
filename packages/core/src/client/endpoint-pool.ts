import { clientEndpointChannel } from '../diagnostics.js';
import type { Discovery } from '../discovery/discovery.js';
import { powerOfTwoChoices } from './balancer.js';
import { Endpoint, type EndpointInfo, type EndpointOptions } from './endpoint.js';
import { type WaitResult, waitFor } from './wait.js';

/**
 * The endpoints of one service: kept in step with discovery, balanced with
 * power of two choices, and watched so a call can wait for one to come up.
 */
export class EndpointPool {
  readonly #service: string;
  readonly #options: EndpointOptions;
  readonly #discovery: Discovery | undefined;
  readonly #random: () => number;
  readonly #byAddress = new Map<string, Endpoint>();
  /** Removed by discovery, closing once their calls settle; closed with the pool. */
  readonly #retired = new Set<Endpoint>();
  readonly #listeners = new Set<() => void>();
  #endpoints: Endpoint[] = [];
  #resolved: boolean;
  #lastError: string | undefined;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  /**
   * With `initial`, the endpoints are connected now (and an invalid address
   * throws here); with `discovery`, on its first resolve.
   */
  constructor(
    service: string,
    source: { initial: readonly string[] } | { discovery: Discovery },
    options: EndpointOptions,
    random: () => number,
  ) {
    this.#service = service;
    this.#options = options;
    this.#random = random;
    if ('initial' in source) {
      this.#discovery = undefined;
      this.#resolved = true;
      try {
        this.#update(source.initial, true);
      } catch (err) {
        for (const endpoint of this.#endpoints) void endpoint.close();
        throw err;
      }
    } else {
      this.#discovery = source.discovery;
      this.#resolved = false;
      void this.#refresh();
    }
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Picks an endpoint for an attempt, avoiding those already tried while others are usable. */
  pick(tried: ReadonlySet<Endpoint> | undefined): Endpoint | undefined {
    return powerOfTwoChoices(this.#endpoints, tried, this.#random);
  }

  /** Whether some endpoint can take a call now. */
  get hasUsable(): boolean {
    return this.#endpoints.some((e) => e.usable);
  }

  /** Whether an endpoint may yet become usable without the breaker's help: discovery pending, or one still connecting. */
  get worthWaiting(): boolean {
    return !this.#closed && (!this.#resolved || this.#endpoints.some((e) => e.connecting));
  }

  /** Waits for any endpoint or the endpoint set to change. */
  waitForChange(deadline: number, signal: AbortSignal | undefined, now: number): Promise<WaitResult> {
    return waitFor(
      (done) => {
        this.#listeners.add(done);
        return () => this.#listeners.delete(done);
      },
      deadline,
      signal,
      now,
    );
  }

  infos(): EndpointInfo[] {
    return this.#endpoints.map((e) => e.info());
  }

  /** Every endpoint is failing its CURVE handshake (wrong server key, or our key refused). */
  get handshakeFailed(): boolean {
    return this.#endpoints.length > 0 && this.#endpoints.every((e) => e.handshakeFailure !== undefined);
  }

  /** Why no endpoint could take a call, for the UnavailableError's message. */
  describeUnavailable(): string {
    if (this.#closed) return 'client is closed';
    const states = this.#endpoints
      .map(
        (e) => `${e.address} ${e.state}${e.handshakeFailure === undefined ? '' : `: ${e.handshakeFailure}`}`,
      )
      .join(', ');
    // A dynamic client without a service (the CLI) has '' here.
    const of = this.#service === '' ? '' : ` for service ${this.#service}`;
    const why = states === '' ? `no endpoints${of}` : `no usable endpoint${of} (${states})`;
    return this.#lastError === undefined ? why : `${why}; ${this.#lastError}`;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    const all = [...this.#endpoints, ...this.#retired];
    this.#endpoints = [];
    this.#byAddress.clear();
    this.#notify();
    await Promise.all(all.map((e) => e.close()));
    if (clientEndpointChannel.hasSubscribers) {
      for (const e of all)
        clientEndpointChannel.publish({ service: this.#service, endpoint: e.address, state: 'closed' });
    }
  }

  async #refresh(): Promise<void> {
    const discovery = this.#discovery!;
    try {
      const addresses = await discovery.resolve();
      if (this.#closed) return;
      this.#lastError = undefined;
      this.#update(addresses, false);
    } catch (err) {
      this.#lastError = `discovery failed: ${(err as Error).message}`;
    }
    if (this.#closed) return;
    // Resolved even on failure: waiting calls then fail with the reason instead of at their deadline.
    this.#resolved = true;
    this.#notify();
    if (discovery.refreshMs !== undefined) {
      this.#timer = setTimeout(() => void this.#refresh(), discovery.refreshMs);
      this.#timer.unref();
    }
  }

  #update(addresses: readonly string[], strict: boolean): void {
    const wanted = new Set(addresses);
    for (const [address, endpoint] of this.#byAddress) {
      if (wanted.has(address)) continue;
      this.#byAddress.delete(address);
      this.#retired.add(endpoint);
      endpoint.retire();
      void endpoint.closed.then(() => this.#retired.delete(endpoint));
      this.#publish(endpoint);
    }
    for (const address of wanted) {
      if (this.#byAddress.has(address)) continue;
      let endpoint: Endpoint;
      try {
        endpoint = new Endpoint(address, this.#options, this.#onEndpointChange);
      } catch (err) {
        if (strict) throw err;
        this.#lastError = (err as Error).message;
        continue;
      }
      this.#byAddress.set(address, endpoint);
      this.#publish(endpoint);
    }
    this.#endpoints = [...this.#byAddress.values()];
    this.#notify();
  }

  readonly #onEndpointChange = (endpoint: Endpoint): void => {
    // A removed endpoint was reported when it left; its later states are noise.
    if (this.#byAddress.get(endpoint.address) !== endpoint) return;
    this.#publish(endpoint);
    this.#notify();
  };

  #publish(endpoint: Endpoint): void {
    if (clientEndpointChannel.hasSubscribers) {
      clientEndpointChannel.publish({
        service: this.#service,
        endpoint: endpoint.address,
        state: endpoint.state,
      });
    }
  }

  #notify(): void {
    for (const listener of [...this.#listeners]) listener();
  }
}
