import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import * as zmq from 'zeromq';
import { BatchWriter } from './batch-writer.js';
import { IncomingReplies } from './client/incoming.js';
import { Heartbeats } from './client/liveness.js';
import { type Pending, PendingTable } from './client/pending.js';
import {
  handshakeReply,
  limitReply,
  localReply,
  type OutgoingRequest,
  type Reply,
} from './client/request-reply.js';
import { ConnectionWatch } from './connection-watch.js';
import { bytesChannel, droppedChannel, peerChannel } from './diagnostics.js';
import { TransportError } from './errors.js';
import { type ResolvedSocketOptions, resolveSocketOptions, type SocketOptions } from './options.js';
import { FastCodec } from './protocol/codec.js';
import { Command, Status } from './protocol/constants.js';
import { encodeEnvelope } from './protocol/encode.js';
import type { Packet } from './protocol/envelope.js';
import { bodyBytes, MAX_DEADLINE_MS } from './protocol/limits.js';
import { receiveLoop } from './receive-loop.js';
import { applyClientSecurity, type ClientSecurityOptions } from './security/client-security.js';
import { HandshakeWatch } from './security/handshake-watch.js';
import { checkRequest, checkRequestEnvelope } from './send-limits.js';

export interface ClientOptions extends SocketOptions {
  /** The one server endpoint this client talks to, e.g. `tcp://127.0.0.1:7001`. */
  connect: string;
  /** ZMQ_RECONNECT_IVL: first reconnect delay after the connection drops. @default 100 */
  reconnectIntervalMs?: number;
  /** ZMQ_RECONNECT_IVL_MAX: reconnect backoff ceiling. @default 2000 */
  reconnectMaxIntervalMs?: number;
  /**
   * CURVE: the server's public key and this client's key pair
   * (docs/security.md). A failed handshake ends calls at once with
   * UNAVAILABLE, `details.code` ERR_COURIER_HANDSHAKE_FAILED. Omitted: plaintext.
   */
  security?: ClientSecurityOptions;
}

/**
 * - `connecting`: no traffic from the server yet; requests are sent and wait.
 * - `alive`: the server answers within its liveness window.
 * - `draining`: the server said it is stopping; new requests fail fast with
 *   UNAVAILABLE (nothing was sent, so they are safe to send elsewhere).
 * - `dead`: the server was silent past its liveness window; in-flight requests
 *   failed with UNAVAILABLE and new ones fail fast until it is heard again.
 * - `closed`: close() was called.
 */
export type PeerState = 'connecting' | 'alive' | 'draining' | 'dead' | 'closed';

export { localReply, type OutgoingRequest, type Reply };

/**
 * Linger for the farewell DISCONNECT on close: long enough for it to leave
 * behind what is still queued, short enough not to hold up the process.
 */
const CLOSE_LINGER_MS = 100;

export interface ClientEvents {
  state: [to: PeerState, from: PeerState];
}

/**
 * The client end of the Courier protocol: a DEALER socket connected to one
 * server, with many requests in flight matched by id.
 *
 * `request()` never rejects: every call resolves with exactly one Reply, the
 * server's or a local one (DEADLINE_EXCEEDED, CANCELLED, UNAVAILABLE), by its
 * deadline at the latest.
 *
 * @example
 * const client = new TransportClient({ connect: 'tcp://127.0.0.1:7001' });
 * const reply = await client.request({ method: 'echo.say', body: [buf], deadlineMs: 1000 });
 * await client.close();
 */
export class TransportClient extends EventEmitter<ClientEvents> {
  readonly endpoint: string;
  readonly #opts: ResolvedSocketOptions;
  readonly #sock: zmq.Dealer;
  /** This socket's codec: its decoding and encoding state is its own. */
  readonly #codec = new FastCodec();
  readonly #writer: BatchWriter;
  readonly #pending = new PendingTable((p) =>
    this.#giveUp(p.id, localReply(Status.DEADLINE_EXCEEDED, `no reply within ${p.deadlineMs} ms`)),
  );
  readonly #heartbeats: Heartbeats;
  readonly #loop: Promise<void>;
  readonly #watch: ConnectionWatch;
  #state: PeerState = 'connecting';
  readonly #incoming: IncomingReplies;
  #handshake: HandshakeWatch | undefined;
  /** Queued requests were purged since the last good handshake (once per failure streak). */
  #purgedForHandshake = false;

  constructor(options: ClientOptions) {
    super();
    this.endpoint = options.connect;
    this.#incoming = new IncomingReplies(this.endpoint, this.#pending);
    this.#opts = resolveSocketOptions(options);
    this.#sock = new zmq.Dealer({
      // Not ZMQ_IMMEDIATE: with it, libzmq drops the pipe, and every message
      // received but not yet read, the moment the connection breaks, so the
      // last replies and the DISCONNECT of a server that closes are often
      // lost. Instead, what is queued while the server is unreachable is
      // purged when it is declared dead (see #purge), so no request is
      // parked and delivered, stale, after a restart.
      immediate: false,
      // When the queue is full (sendHighWaterMark) a send waits this long,
      // then fails its requests with UNAVAILABLE instead of blocking.
      sendTimeout: this.#opts.heartbeatIntervalMs,
      sendHighWaterMark: this.#opts.sendHighWaterMark,
      receiveHighWaterMark: this.#opts.receiveHighWaterMark,
      maxMessageSize: this.#opts.maxFrameBytes,
      reconnectInterval: options.reconnectIntervalMs ?? 100,
      reconnectMaxInterval: options.reconnectMaxIntervalMs ?? 2000,
      linger: 0,
    });
    try {
      if (options.security !== undefined) applyClientSecurity(this.#sock, options.security, true);
    } catch (err) {
      this.#sock.close();
      throw err;
    }
    if (options.security !== undefined) {
      this.#handshake = new HandshakeWatch(
        this.#sock,
        (message) => this.#onHandshakeFailed(message),
        () => {
          this.#purgedForHandshake = false;
        },
      );
    }
    try {
      this.#sock.connect(this.endpoint);
    } catch (cause) {
      this.#sock.close();
      throw new TransportError(
        'ERR_COURIER_INVALID_ENDPOINT',
        `cannot connect to ${this.endpoint}: ${(cause as Error).message}`,
        {
          cause,
        },
      );
    }
    this.#writer = new BatchWriter({
      codec: this.#codec,
      maxBatchPackets: this.#opts.maxBatchPackets,
      maxBatchBytes: this.#opts.maxBatchBytes,
      send: (frames) => {
        if (bytesChannel.hasSubscribers) {
          bytesChannel.publish({ side: 'client', direction: 'out', bytes: bodyBytes(frames) });
        }
        return this.#sock.send(frames);
      },
      onSendError: (err, _key, tags) => {
        if (droppedChannel.hasSubscribers) droppedChannel.publish({ side: 'client', reason: 'SEND_FAILED' });
        const message = `could not send to ${this.endpoint}: ${(err as Error).message}`;
        for (const pending of tags as Pending[]) {
          this.#pending.settle(pending.id, localReply(Status.UNAVAILABLE, message));
        }
      },
      // A request settled while still queued (deadline, cancel, dead peer,
      // close) is not sent at all: nobody waits for its reply any more.
      beforeSend: (tag) => {
        const pending = tag as Pending;
        if (pending.settled) return false;
        pending.sent = true;
        return true;
      },
    });
    this.#heartbeats = new Heartbeats({
      opts: this.#opts,
      writer: this.#writer,
      endpoint: this.endpoint,
      isDead: () => this.#state === 'dead',
      onDead: (message) => this.#declareDead(message),
    });
    this.#loop = this.#receiveLoop();
    // A dropped connection (the server killed, its host gone) is known at
    // once from the socket, not only after the heartbeat window.
    this.#watch = new ConnectionWatch(this.#sock, () => {
      if (this.#state === 'dead' || this.#state === 'closed') return;
      this.#declareDead(`lost the connection to ${this.endpoint}`);
    });
  }

  get state(): PeerState {
    return this.#state;
  }

  /** Why the last CURVE handshake failed, until one succeeds; undefined in plaintext. */
  get handshakeFailure(): string | undefined {
    return this.#handshake?.failure;
  }

  /** Requests sent and not yet settled. */
  get inflight(): number {
    return this.#pending.size;
  }

  request(req: OutgoingRequest): Promise<Reply> {
    switch (this.#state) {
      case 'closed':
        return Promise.resolve(localReply(Status.UNAVAILABLE, 'client is closed'));
      case 'dead':
        if (this.#handshake?.failure !== undefined)
          return Promise.resolve(handshakeReply(this.endpoint, this.#handshake?.failure));
        return Promise.resolve(
          localReply(
            Status.UNAVAILABLE,
            `${this.endpoint} is unreachable (no heartbeat for ${this.#heartbeats.timeoutMs} ms)`,
          ),
        );
      case 'draining':
        return Promise.resolve(localReply(Status.UNAVAILABLE, `${this.endpoint} is draining`));
    }
    if (req.signal?.aborted) return Promise.resolve(localReply(Status.CANCELLED, 'cancelled before sending'));
    if (!(req.deadlineMs > 0 && req.deadlineMs <= MAX_DEADLINE_MS)) {
      return Promise.resolve(
        localReply(
          Status.BAD_REQUEST,
          `deadlineMs must be in (0, ${MAX_DEADLINE_MS}], got ${req.deadlineMs}`,
        ),
      );
    }
    // A request the server's decoder would drop or refuse fails here at
    // once, rather than at the server or, worse, at its deadline.
    const bytes = bodyBytes(req.body);
    const invalid = checkRequest(req, bytes, this.#opts.limits);
    if (invalid !== undefined) return Promise.resolve(limitReply(invalid));
    const id = this.#pending.allocateId();
    // The envelope goes straight into the frame of the batch it travels in.
    const envelopes = this.#writer.open('', undefined, bytes);
    this.#codec.appendRequest(
      envelopes,
      req.body.length,
      id,
      req.method,
      // Round down (but never to 0, which means "none"): a deadline passed
      // along a chain of calls must never grow from one hop to the next.
      Math.max(1, Math.floor(req.deadlineMs)),
      req.meta,
      req.contentType,
    );
    // A too-large envelope would stop the server decoding the whole message,
    // taking the other requests batched with it down too.
    const tooLarge = checkRequestEnvelope(this.#writer.openedBytes, this.#opts.limits);
    if (tooLarge !== undefined) {
      this.#writer.rollback();
      return Promise.resolve(limitReply(tooLarge));
    }
    const pending = this.#pending.create(id, req.deadlineMs, req.signal, this.#cancelled);
    const now = performance.now();
    const promise = this.#pending.track(pending, now + Math.ceil(req.deadlineMs));
    this.#heartbeats.sent(now);
    this.#writer.commit(req.body, pending);
    return promise;
  }

  /**
   * Tells the server we are leaving, settles what is still in flight with
   * CANCELLED, and closes the socket. Idempotent.
   */
  async close(): Promise<void> {
    if (this.#state === 'closed') return this.#loop;
    const was = this.#state;
    this.#setState('closed');
    this.#heartbeats.stop();
    this.#watch.stop();
    const cancelled = localReply(Status.CANCELLED, 'client closed');
    this.#pending.settleAll(() => ({ ...cancelled }));
    // A dead server cannot hear it.
    const farewell = was !== 'dead';
    if (farewell) this.#send({ cmd: Command.DISCONNECT, reason: 'client closed' });
    await this.#writer.flushed();
    // With linger 0, libzmq would discard the DISCONNECT if it is still queued
    // behind other traffic, and the server would run our requests until its
    // liveness check. Set only now: purging a dead server's queue needs 0.
    if (farewell) this.#sock.linger = CLOSE_LINGER_MS;
    this.#sock.close();
    await this.#loop;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /**
   * No connection could be secured: calls in flight end now, with the
   * reason, and new ones fail fast until a handshake succeeds (libzmq keeps
   * retrying at its reconnect interval).
   */
  #onHandshakeFailed(_message: string): void {
    if (this.#state === 'closed') return;
    this.#pending.settleAll(() => handshakeReply(this.endpoint, this.#handshake?.failure));
    this.#setState('dead');
    // What is still queued must not reach the server after a later success;
    // once per streak, since replacing the connection starts a new handshake.
    if (!this.#purgedForHandshake) {
      this.#purgedForHandshake = true;
      this.#purge();
    }
  }

  #send(packet: Packet): void {
    this.#heartbeats.sent(performance.now());
    this.#writer.enqueue('', undefined, encodeEnvelope(packet));
  }

  /** Settles a call the caller stopped waiting for, and tells the server if it has the request. */
  #giveUp(id: number, reply: Reply): void {
    if (this.#pending.settle(id, reply)?.sent) this.#send({ cmd: Command.CANCEL, id });
  }

  readonly #cancelled = (id: number): void =>
    this.#giveUp(id, localReply(Status.CANCELLED, 'cancelled by the caller'));

  #setState(to: PeerState): void {
    const from = this.#state;
    if (from === to || from === 'closed') return;
    this.#state = to;
    if (peerChannel.hasSubscribers) peerChannel.publish({ side: 'client', peer: this.endpoint, from, to });
    this.emit('state', to, from);
  }

  #receiveLoop(): Promise<void> {
    return receiveLoop(
      this.#sock,
      () => this.state === 'closed',
      (msg) => this.#onMessage(msg),
    );
  }

  /**
   * Drops whatever libzmq still queues for the server (requests just failed
   * with UNAVAILABLE must never reach a restarted one) by replacing the
   * connection; with linger 0 the old pipe is discarded, and libzmq keeps
   * reconnecting as before.
   */
  #purge(): void {
    try {
      this.#sock.disconnect(this.endpoint);
      this.#sock.connect(this.endpoint);
    } catch (err) {
      // Only a closed socket throws here, and close() already settled everything.
      if (!this.#sock.closed) process.emitWarning(err as Error);
    }
  }

  /**
   * Marks the server down until it is heard again, fails what is in flight
   * with UNAVAILABLE (it may have run: the caller's retry rules decide), and
   * drops what libzmq still queues for it.
   */
  #declareDead(message: string): void {
    this.#setState('dead');
    this.#pending.settleAll(() => localReply(Status.UNAVAILABLE, message));
    this.#purge();
  }

  #onMessage(msg: Buffer[]): void {
    if (bytesChannel.hasSubscribers) {
      bytesChannel.publish({ side: 'client', direction: 'in', bytes: bodyBytes(msg) });
    }
    const { packets, errors } = this.#codec.decode(msg, this.#opts.limits, 0);
    for (const error of errors) this.#incoming.onDecodeError(error);
    if (packets.length === 0) return;
    this.#heartbeats.seen(performance.now());
    if (this.#state === 'connecting' || this.#state === 'dead') this.#setState('alive');
    for (const packet of packets) this.#onPacket(packet);
  }

  #onPacket(packet: Packet): void {
    switch (packet.cmd) {
      case Command.REPLY:
        this.#incoming.onReply(packet);
        return;
      case Command.HEARTBEAT:
        this.#heartbeats.advertise(packet.intervalMs);
        // A heartbeat without the draining flag means the server (perhaps a
        // restarted one at the same address) takes requests again.
        this.#setState(packet.draining ? 'draining' : 'alive');
        return;
      case Command.DISCONNECT:
        this.#setState('draining');
        return;
      default:
        if (droppedChannel.hasSubscribers) {
          droppedChannel.publish({ side: 'client', reason: 'UNEXPECTED_COMMAND' });
        }
    }
  }
}
