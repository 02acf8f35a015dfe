import * as zmq from 'zeromq';
import { bytesChannel, droppedChannel, frameBytes } from '../diagnostics.js';
import { TransportError } from '../errors.js';
import type { EventPacket } from '../protocol/envelope.js';
import { decodeEvent, MAX_TOPIC_BYTES } from '../protocol/events.js';
import { DEFAULT_DECODE_LIMITS, type DecodeLimits } from '../protocol/framing.js';
import { receiveLoop } from '../receive-loop.js';
import { applyClientSecurity, type ClientSecurityOptions } from '../security/client-security.js';
import { type EventGap, SeqTracker } from './seq-tracker.js';

/** An event as delivered to `onEvent`. */
export interface ReceivedEvent extends EventPacket {
  /** The endpoint it came from, as given in `connect`. */
  readonly endpoint: string;
}

export interface EventSubscriberOptions {
  /**
   * The publishers' endpoints. Give each publisher once: gaps are tracked per
   * endpoint, so an endpoint must lead to exactly one publisher (not a proxy
   * merging several), and a publisher reached twice delivers every event twice.
   */
  connect: string | readonly string[];
  /** Topics to subscribe to from the start; more with `subscribe()`. */
  topics?: readonly string[];
  /**
   * Called once per event on a subscribed topic. Events from one endpoint are
   * delivered in order, one at a time: a returned promise is awaited before
   * the next. Meanwhile events queue in ZeroMQ up to the high-water mark;
   * past it the publisher drops them, and `onGap` reports the loss.
   * A throw or rejection is reported as a process warning; it never stops delivery.
   */
  onEvent: (event: ReceivedEvent) => void | Promise<void>;
  /** Called when a gap in a publisher's sequence numbers shows events were lost. */
  onGap?: (gap: EventGap) => void;
  /** ZMQ_RCVHWM: events queued per publisher before the publisher drops. @default 10000 */
  receiveHighWaterMark?: number;
  /** ZMQ_MAXMSGSIZE: a publisher sending a larger frame is disconnected. @default 16 MiB + 64 KiB */
  maxFrameBytes?: number;
  /** Limits checked while decoding. */
  limits?: Partial<Pick<DecodeLimits, 'maxEnvelopeBytes' | 'maxBodyBytes'>>;
  /** ZMQ_RECONNECT_IVL: first reconnect delay after a publisher goes away. @default 100 */
  reconnectIntervalMs?: number;
  /** ZMQ_RECONNECT_IVL_MAX: reconnect backoff ceiling. @default 2000 */
  reconnectMaxIntervalMs?: number;
  /** CURVE: the publisher's public key and this subscriber's key pair (docs/security.md). */
  security?: ClientSecurityOptions;
}

interface Source {
  readonly endpoint: string;
  readonly sock: zmq.Subscriber;
  readonly seq: SeqTracker;
}

/**
 * The subscribing end of Courier events: one SUB socket per publisher
 * endpoint (so sequence numbers can be followed per publisher), each
 * reconnecting by itself when its publisher goes away and comes back.
 *
 * Delivery is at most once: events published while this subscriber is
 * disconnected, before its subscription reached the publisher, or while its
 * queue is full are lost for good. Losses are visible, not prevented: `lost`
 * counts them from gaps in the sequence numbers (a lower bound; a loss at the
 * very end of a stream shows only when the next event arrives).
 *
 * Malformed messages are dropped and counted on the `courier:transport:dropped`
 * diagnostics channel (side `client`); nothing a publisher sends stops delivery.
 *
 * @example
 * const sub = new EventSubscriber({
 *   connect: ['tcp://127.0.0.1:7101'],
 *   topics: ['playlist.created'],
 *   onEvent: (e) => console.log(e.topic, e.seq, msgpack.unpack(e.body[0]!)),
 * });
 * await sub.close();
 */
export class EventSubscriber {
  readonly #sources: Source[] = [];
  readonly #topics = new Set<string>();
  readonly #onEvent: EventSubscriberOptions['onEvent'];
  readonly #onGap: EventSubscriberOptions['onGap'];
  readonly #limits: Pick<DecodeLimits, 'maxEnvelopeBytes' | 'maxBodyBytes'>;
  readonly #loops: Promise<void>[];
  #lost = 0;
  #closed = false;

  constructor(options: EventSubscriberOptions) {
    const endpoints = typeof options.connect === 'string' ? [options.connect] : options.connect;
    if (endpoints.length === 0) {
      throw new TransportError('ERR_COURIER_INVALID_ENDPOINT', 'EventSubscriber needs at least one endpoint');
    }
    this.#onEvent = options.onEvent;
    this.#onGap = options.onGap;
    this.#limits = { ...DEFAULT_DECODE_LIMITS, ...options.limits };
    for (const topic of options.topics ?? []) this.#topics.add(checkTopic(topic));
    for (const endpoint of endpoints) {
      const sock = new zmq.Subscriber({
        receiveHighWaterMark: options.receiveHighWaterMark ?? 10_000,
        maxMessageSize: options.maxFrameBytes ?? this.#limits.maxBodyBytes + 64 * 1024,
        reconnectInterval: options.reconnectIntervalMs ?? 100,
        reconnectMaxInterval: options.reconnectMaxIntervalMs ?? 2000,
        linger: 0,
      });
      this.#sources.push({ endpoint, sock, seq: new SeqTracker(endpoint) });
      try {
        if (options.security !== undefined) applyClientSecurity(sock, options.security, false);
      } catch (err) {
        for (const s of this.#sources) s.sock.close();
        throw err;
      }
      try {
        sock.connect(endpoint);
      } catch (cause) {
        for (const s of this.#sources) s.sock.close();
        const message = `cannot connect ${endpoint}: ${(cause as Error).message}`;
        throw new TransportError('ERR_COURIER_INVALID_ENDPOINT', message, { cause });
      }
      // The filter is a prefix: "a.created" also lets "a.createdX" through,
      // so every event's topic is compared exactly on receipt as well.
      for (const topic of this.#topics) sock.subscribe(topic);
    }
    this.#loops = this.#sources.map((source) => this.#receiveLoop(source));
  }

  /** The endpoints given in `connect`. */
  get endpoints(): readonly string[] {
    return this.#sources.map((s) => s.endpoint);
  }

  /** Topics currently subscribed to. */
  get topics(): ReadonlySet<string> {
    return this.#topics;
  }

  /** Events known to be lost, from gaps in sequence numbers. */
  get lost(): number {
    return this.#lost;
  }

  /**
   * Adds topics (exact names, not prefixes). Events published before the
   * subscription reaches a publisher are not delivered.
   */
  subscribe(...topics: string[]): void {
    for (const topic of topics) {
      if (this.#topics.has(checkTopic(topic))) continue;
      this.#topics.add(topic);
      for (const source of this.#sources) source.sock.subscribe(topic);
    }
  }

  /** Removes topics; events still queued for them are discarded. */
  unsubscribe(...topics: string[]): void {
    for (const topic of topics) {
      if (!this.#topics.delete(topic)) continue;
      for (const source of this.#sources) {
        source.sock.unsubscribe(topic);
        source.seq.forget(topic);
      }
    }
  }

  /** Stops receiving, waits for the `onEvent` calls in progress, and closes the sockets. Idempotent. */
  async close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      for (const source of this.#sources) source.sock.close();
    }
    await Promise.all(this.#loops);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #receiveLoop(source: Source): Promise<void> {
    return receiveLoop(
      source.sock,
      () => this.#closed,
      (msg) => this.#onMessage(source, msg),
    );
  }

  /** Decodes and delivers one message; returns the handler's promise, if it gave one. */
  #onMessage(source: Source, msg: Buffer[]): Promise<void> | undefined {
    if (bytesChannel.hasSubscribers) {
      bytesChannel.publish({ side: 'client', direction: 'in', bytes: frameBytes(msg) });
    }
    const { event, error } = decodeEvent(msg, this.#limits);
    if (error !== undefined) {
      if (droppedChannel.hasSubscribers) droppedChannel.publish({ side: 'client', reason: error.code });
      return undefined;
    }
    // Prefix matches of other topics, and events still queued for a topic
    // just unsubscribed, are not ours.
    if (!this.#topics.has(event.topic)) return undefined;
    const gap = source.seq.observe(event.topic, event.seq);
    if (gap !== undefined) {
      this.#lost += gap.lost;
      if (this.#onGap !== undefined) {
        try {
          this.#onGap(gap);
        } catch (err) {
          warn(err);
        }
      }
    }
    try {
      const result = this.#onEvent({ ...event, endpoint: source.endpoint });
      if (result != null && typeof result.then === 'function') {
        return result.then(undefined, (err: unknown) => warn(err));
      }
    } catch (err) {
      // A bug in one handler must not stop the loop that delivers everything else.
      warn(err);
    }
    return undefined;
  }
}

function checkTopic(topic: string): string {
  if (typeof topic !== 'string' || topic.length === 0 || Buffer.byteLength(topic) > MAX_TOPIC_BYTES) {
    throw new RangeError(`event topic must be 1-${MAX_TOPIC_BYTES} bytes, got ${JSON.stringify(topic)}`);
  }
  return topic;
}

function warn(err: unknown): void {
  process.emitWarning(err instanceof Error ? err : `EventSubscriber callback threw ${String(err)}`);
}
