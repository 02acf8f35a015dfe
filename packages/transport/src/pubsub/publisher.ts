import * as zmq from 'zeromq';
import { bindAll } from '../bind.js';
import { droppedChannel } from '../diagnostics.js';
import { TransportError } from '../errors.js';
import type { Metadata } from '../protocol/envelope.js';
import { encodeEvent, MAX_TOPIC_BYTES } from '../protocol/events.js';
import { receiveLoop } from '../receive-loop.js';
import { ServerSecurity, type ServerSecurityOptions } from '../security/server-security.js';

export interface EventPublisherOptions {
  /**
   * Endpoints to bind, e.g. `tcp://127.0.0.1:7101`, `tcp://127.0.0.1:*`
   * (any free port; read the result from `endpoints`), `ipc:///tmp/x.sock`,
   * `inproc://name`.
   */
  bind: string | readonly string[];
  /**
   * ZMQ_SNDHWM: events queued per subscriber. Past it, events for that
   * subscriber are dropped (the subscriber sees a gap in `seq`).
   * @default 10000
   */
  sendHighWaterMark?: number;
  /** ZMQ_LINGER: how long close() may keep sending queued events, in ms. @default 1000 */
  lingerMs?: number;
  /** CURVE, and the subscriber keys allowed to connect (docs/security.md). Omitted: plaintext. */
  security?: ServerSecurityOptions;
}

export interface EventPublishOptions {
  meta?: Metadata;
  /** Omit for MessagePack. */
  contentType?: string;
}

interface Waiter {
  /** byteKey(topic) */
  readonly key: string;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

/**
 * The publishing end of Courier events: an XPUB socket that sends one event
 * per message and numbers the events of each topic 1, 2, 3, ...
 *
 * Delivery is at most once. ZeroMQ sends an event only to subscribers
 * connected and subscribed at that moment: events published while a
 * subscriber is disconnected, before its subscription reached this socket
 * (the "slow joiner"), or beyond its high-water mark are lost, and nothing
 * is retried. Subscribers detect the losses from gaps in `seq`.
 *
 * `publish()` never blocks: libzmq drops rather than waits. XPUB instead of
 * PUB only so the publisher can see subscriptions arrive
 * (`waitForSubscriber`); on the wire it is the same.
 *
 * @example
 * const pub = await EventPublisher.bind({ bind: 'tcp://127.0.0.1:*' });
 * pub.publish('playlist.created', [msgpack.pack({ id: 'p1' })]);
 * await pub.close();
 */
export class EventPublisher {
  readonly #sock: zmq.XPublisher;
  readonly #bind: readonly string[];
  readonly #endpoints: string[] = [];
  readonly #seq = new Map<string, number>();
  /** Subscribed prefixes, as latin1 strings of their bytes. */
  readonly #prefixes = new Set<string>();
  readonly #waiters = new Set<Waiter>();
  #loop: Promise<void> | undefined;
  #closed = false;
  readonly #security: ServerSecurity | undefined;

  constructor(options: EventPublisherOptions) {
    this.#security = options.security === undefined ? undefined : new ServerSecurity(options.security);
    this.#bind = typeof options.bind === 'string' ? [options.bind] : options.bind;
    if (this.#bind.length === 0) {
      throw new TransportError(
        'ERR_COURIER_INVALID_ENDPOINT',
        'EventPublisher needs at least one bind endpoint',
      );
    }
    this.#sock = new zmq.XPublisher({
      sendHighWaterMark: options.sendHighWaterMark ?? 10_000,
      // XPUB drops at the high-water mark; a zero timeout also rules out
      // waiting should a send ever find the socket not writable.
      sendTimeout: 0,
      linger: options.lingerMs ?? 1000,
    });
  }

  /** Creates a publisher and binds it. */
  static async bind(options: EventPublisherOptions): Promise<EventPublisher> {
    const pub = new EventPublisher(options);
    await pub.start();
    return pub;
  }

  /** The bound endpoints, with wildcard ports resolved. */
  get endpoints(): readonly string[] {
    return this.#endpoints;
  }

  async start(): Promise<void> {
    if (this.#loop !== undefined) return;
    try {
      await this.#security?.apply(this.#sock);
      this.#endpoints.push(...(await bindAll(this.#sock, this.#bind)));
    } catch (err) {
      this.#security?.release();
      this.#closed = true;
      throw err;
    }
    this.#loop = receiveLoop(
      this.#sock,
      () => this.#closed,
      (msg) => this.#onSubscription(msg),
    );
  }

  /**
   * Publishes one event and returns its sequence number on `topic`. Never
   * blocks; returns before the event is on the wire, and an event nobody is
   * subscribed to is discarded by libzmq.
   *
   * @throws TransportError ERR_COURIER_SOCKET_CLOSED after close().
   * @throws RangeError for an empty topic or one over 256 bytes.
   */
  publish(topic: string, body: Buffer[], options: EventPublishOptions = {}): number {
    if (this.#closed) throw new TransportError('ERR_COURIER_SOCKET_CLOSED', 'EventPublisher is closed');
    const last = this.#seq.get(topic);
    // A topic is checked once, on its first event.
    if (last === undefined && (topic.length === 0 || Buffer.byteLength(topic) > MAX_TOPIC_BYTES)) {
      throw new RangeError(`event topic must be 1-${MAX_TOPIC_BYTES} bytes, got ${JSON.stringify(topic)}`);
    }
    const seq = (last ?? 0) + 1;
    this.#seq.set(topic, seq);
    const frames = encodeEvent({
      topic,
      seq,
      timestampMs: Date.now(),
      meta: options.meta,
      contentType: options.contentType,
      body,
    });
    this.#sock.send(frames).catch(onSendError);
    return seq;
  }

  /** True when at least one subscription covering `topic` has reached this socket. */
  hasSubscriber(topic: string): boolean {
    const key = byteKey(topic);
    for (const prefix of this.#prefixes) if (key.startsWith(prefix)) return true;
    return false;
  }

  /**
   * Resolves once a subscription covering `topic` has reached this socket,
   * so an event published from then on is delivered to that subscriber.
   * It says nothing about how many subscribers there are.
   *
   * @throws TransportError ERR_COURIER_SOCKET_CLOSED when the publisher closes first.
   */
  waitForSubscriber(topic: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.#closed) {
      return Promise.reject(new TransportError('ERR_COURIER_SOCKET_CLOSED', 'EventPublisher is closed'));
    }
    if (this.hasSubscriber(topic)) return Promise.resolve();
    const { signal } = options;
    signal?.throwIfAborted();
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.#waiters.delete(waiter);
        reject(signal!.reason);
      };
      const waiter: Waiter = {
        key: byteKey(topic),
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        reject: (err) => {
          signal?.removeEventListener('abort', onAbort);
          reject(err);
        },
      };
      this.#waiters.add(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Sends what is queued (up to `lingerMs`) and closes the socket. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return this.#loop;
    this.#closed = true;
    this.#sock.close();
    this.#security?.release();
    const err = new TransportError('ERR_COURIER_SOCKET_CLOSED', 'EventPublisher closed');
    for (const waiter of this.#waiters) waiter.reject(err);
    this.#waiters.clear();
    await this.#loop;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /**
   * One subscribe (0x01 + prefix) or unsubscribe (0x00 + prefix) message, as
   * XPUB hands them up. Reading them is required: libzmq keeps them queued
   * until read. Without XPUB_VERBOSE it passes only a prefix's first
   * subscription and its last unsubscription, so a set mirrors its state.
   */
  #onSubscription(msg: Buffer[]): void {
    const frame = msg[0];
    if (frame === undefined || frame.length === 0) return;
    const prefix = frame.toString('latin1', 1);
    if (frame[0] === 1) {
      this.#prefixes.add(prefix);
      for (const waiter of this.#waiters) {
        if (waiter.key.startsWith(prefix)) {
          this.#waiters.delete(waiter);
          waiter.resolve();
        }
      }
    } else if (frame[0] === 0) {
      this.#prefixes.delete(prefix);
    }
  }
}

function onSendError(): void {
  if (droppedChannel.hasSubscribers) droppedChannel.publish({ side: 'server', reason: 'SEND_FAILED' });
}

/** A topic or prefix as a latin1 string of its UTF-8 bytes, so startsWith() compares bytes as libzmq does. */
function byteKey(topic: string): string {
  return Buffer.from(topic, 'utf8').toString('latin1');
}
