import {
  type OutgoingRequest,
  type PeerState,
  type Reply,
  Status,
  TransportClient,
  type ClientOptions as TransportClientOptions,
} from '@courier/transport';
import { CircuitBreaker, type CircuitBreakerOptions, type Verdict } from './circuit-breaker.js';

/**
 * An endpoint as the client sees it: the transport's peer state, overlaid
 * with the circuit breaker (`ejected` while open, `half-open` while probing
 * is allowed) and `removed` once discovery dropped it.
 */
export type EndpointState = PeerState | 'ejected' | 'half-open' | 'removed';

/** One endpoint, as `$endpoints()` reports it. */
export interface EndpointInfo {
  readonly endpoint: string;
  readonly state: EndpointState;
  /** Calls sent to it and not yet settled. */
  readonly inflight: number;
}

export interface EndpointOptions {
  readonly transport: Omit<TransportClientOptions, 'connect'>;
  /** `undefined` turns the breaker off. */
  readonly breaker: CircuitBreakerOptions | undefined;
  readonly now: () => number;
}

/**
 * One server endpoint: its TransportClient (one DEALER socket), its circuit
 * breaker, and the count of outstanding calls the balancer compares.
 */
export class Endpoint {
  readonly address: string;
  readonly #transport: TransportClient;
  readonly #breaker: CircuitBreaker | undefined;
  #outstanding = 0;
  #retired = false;
  #closing: Promise<void> | undefined;
  #onClosed!: () => void;
  /** Settles once the endpoint's socket is closed (after `close()`, or after `retire()` and its last call). */
  readonly closed: Promise<void> = new Promise((resolve) => {
    this.#onClosed = resolve;
  });

  /** Throws TransportError ERR_COURIER_INVALID_ENDPOINT for an address libzmq rejects. */
  constructor(address: string, options: EndpointOptions, onChange: (endpoint: Endpoint) => void) {
    this.address = address;
    this.#transport = new TransportClient({ ...options.transport, connect: address });
    this.#transport.on('state', () => onChange(this));
    this.#breaker =
      options.breaker === undefined
        ? undefined
        : new CircuitBreaker(options.breaker, options.now, () => onChange(this));
  }

  /** Why the CURVE handshake with this endpoint fails, while it does. */
  get handshakeFailure(): string | undefined {
    return this.#transport.handshakeFailure;
  }

  get state(): EndpointState {
    if (this.#retired) return 'removed';
    const peer = this.#transport.state;
    if (peer !== 'alive' && peer !== 'connecting') return peer;
    switch (this.#breaker?.state) {
      case 'open':
        return 'ejected';
      case 'half-open':
        return 'half-open';
      default:
        return peer;
    }
  }

  /** Whether the balancer may send a call here now. */
  get usable(): boolean {
    return !this.#retired && this.#transport.state === 'alive' && (this.#breaker?.allows ?? true);
  }

  /** Not heard from yet: worth waiting for when nothing else is usable. */
  get connecting(): boolean {
    return !this.#retired && this.#transport.state === 'connecting';
  }

  get outstanding(): number {
    return this.#outstanding;
  }

  info(): EndpointInfo {
    return { endpoint: this.address, state: this.state, inflight: this.#outstanding };
  }

  /** Sends one attempt. Never rejects (see TransportClient.request). */
  request(req: OutgoingRequest): Promise<Reply> {
    // Synchronous up to the transport call, so a burst of calls sees each
    // other's outstanding counts.
    const probe = this.#breaker?.begin() ?? false;
    this.#outstanding++;
    let pending: Promise<Reply>;
    try {
      pending = this.#transport.request(req);
    } catch (err) {
      this.#ended();
      return Promise.reject(err);
    }
    // Handlers made once, not per call: one derived promise is all an attempt adds.
    return pending.then(probe ? this.#onProbeReply : this.#onReply, this.#onFailure);
  }

  readonly #onReply = (reply: Reply): Reply => {
    this.#ended();
    this.#breaker?.end(verdict(reply), false);
    return reply;
  };

  readonly #onProbeReply = (reply: Reply): Reply => {
    this.#ended();
    this.#breaker?.end(verdict(reply), true);
    return reply;
  };

  readonly #onFailure = (err: unknown): never => {
    this.#ended();
    throw err;
  };

  #ended(): void {
    this.#outstanding--;
    if (this.#retired && this.#outstanding === 0) void this.close();
  }

  /**
   * Stops taking calls and closes once those in flight have settled (each
   * settles by its deadline at the latest).
   */
  retire(): void {
    this.#retired = true;
    if (this.#outstanding === 0) void this.close();
  }

  close(): Promise<void> {
    this.#closing ??= this.#transport.close().then(this.#onClosed);
    return this.#closing;
  }
}

/**
 * Failures are what a sick endpoint produces; CANCELLED is the caller's
 * doing and OVERLOADED a healthy server protecting itself, so neither counts.
 * Nor does an UNAVAILABLE the server sent: it answered, so it is reachable,
 * and it refused only because it is stopping (which its DISCONNECT already
 * took it out of rotation for). Counting those would leave an instance that
 * refused a few calls while draining ejected once it restarts.
 */
function verdict(reply: Reply): Verdict {
  switch (reply.status) {
    case Status.UNAVAILABLE:
      return reply.local ? 'failure' : 'neutral';
    case Status.INTERNAL:
    case Status.DEADLINE_EXCEEDED:
      return 'failure';
    case Status.CANCELLED:
    case Status.OVERLOADED:
      return 'neutral';
    default:
      return 'success';
  }
}
