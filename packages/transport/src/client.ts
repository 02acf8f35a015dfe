import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import * as zmq from 'zeromq';
import { BatchWriter } from './batch-writer.js';
import { type DeadlineEntry, DeadlineList } from './deadline-list.js';
import {
  bytesChannel,
  droppedChannel,
  frameBytes,
  heartbeatMissedChannel,
  peerChannel,
} from './diagnostics.js';
import { TransportError } from './errors.js';
import { Liveness } from './heartbeat.js';
import { type ResolvedSocketOptions, resolveSocketOptions, type SocketOptions } from './options.js';
import { Command, MAX_REQUEST_ID, MESSAGE_LEVEL_ID, Status } from './protocol/constants.js';
import type { Metadata, Packet, ReplyPacket } from './protocol/envelope.js';
import {
  appendRequestEnvelope,
  type DecodeError,
  decodeMessage,
  encodeEnvelope,
} from './protocol/framing.js';
import { bodyBytes, MAX_DEADLINE_MS } from './protocol/limits.js';
import { receiveLoop } from './receive-loop.js';
import { applyClientSecurity, type ClientSecurityOptions } from './security/client-security.js';
import { HandshakeWatch } from './security/handshake-watch.js';
import { checkRequest, checkRequestEnvelope, type SendLimitViolation } from './send-limits.js';
import { WarningThrottle } from './warning-throttle.js';

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

export interface OutgoingRequest {
  /** `service.method` */
  method: string;
  /** The body frames; sent as they are (not copied), so leave them unchanged until the reply. */
  body: Buffer[];
  /** How long the caller waits, in ms; the server sees what remains when it arrives. */
  deadlineMs: number;
  meta?: Metadata;
  contentType?: string;
  /** Aborting it fails the call with CANCELLED and sends CANCEL to the server. */
  signal?: AbortSignal;
}

/** The outcome of a request: the server's reply, or one this client made up. */
export interface Reply {
  status: Status | number;
  message: string | undefined;
  details: unknown;
  meta: Metadata | undefined;
  contentType: string | undefined;
  body: Buffer[];
  /**
   * True when the outcome was decided here (deadline, cancel, unavailable
   * peer) rather than sent by the server.
   */
  local: boolean;
}

interface Pending extends DeadlineEntry {
  readonly id: number;
  readonly deadlineMs: number;
  resolve: (reply: Reply) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  /** The REQUEST left the BatchWriter queue, so the server may be working on it. */
  sent: boolean;
  /** Resolved: the caller has its outcome. */
  settled: boolean;
}

/** At most one warning per this long about message-level errors from the server. */
const REJECTED_WARNING_INTERVAL_MS = 10_000;
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
  readonly #writer: BatchWriter;
  readonly #pending = new Map<number, Pending>();
  readonly #deadlines = new DeadlineList<Pending>((p) =>
    this.#giveUp(p.id, localReply(Status.DEADLINE_EXCEEDED, `no reply within ${p.deadlineMs} ms`)),
  );
  readonly #liveness: Liveness;
  readonly #timer: NodeJS.Timeout;
  readonly #loop: Promise<void>;
  #state: PeerState = 'connecting';
  #nextId = 1;
  /** Ids reached 2^32 and started again at 1, so a new one may still be in flight. */
  #idsWrapped = false;
  #lastSent = 0;
  readonly #rejectedWarnings = new WarningThrottle(REJECTED_WARNING_INTERVAL_MS);
  #handshake: HandshakeWatch | undefined;
  /** Queued requests were purged since the last good handshake (once per failure streak). */
  #purgedForHandshake = false;

  constructor(options: ClientOptions) {
    super();
    this.endpoint = options.connect;
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
      maxBatchPackets: this.#opts.maxBatchPackets,
      maxBatchBytes: this.#opts.maxBatchBytes,
      send: (frames) => {
        if (bytesChannel.hasSubscribers) {
          bytesChannel.publish({ side: 'client', direction: 'out', bytes: frameBytes(frames) });
        }
        return this.#sock.send(frames);
      },
      onSendError: (err, _key, tags) => {
        if (droppedChannel.hasSubscribers) droppedChannel.publish({ side: 'client', reason: 'SEND_FAILED' });
        const message = `could not send to ${this.endpoint}: ${(err as Error).message}`;
        for (const pending of tags as Pending[]) {
          this.#settle(pending.id, localReply(Status.UNAVAILABLE, message));
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
    const now = performance.now();
    this.#liveness = new Liveness(
      now,
      this.#opts.heartbeatIntervalMs,
      this.#opts.heartbeatLiveness,
      this.#opts.maxPeerHeartbeatIntervalMs,
    );
    // The first HEARTBEAT introduces us; the server answers with its own.
    this.#sendHeartbeat(now);
    this.#timer = setInterval(this.#tick, this.#opts.heartbeatIntervalMs);
    this.#timer.unref();
    this.#loop = this.#receiveLoop();
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
        if (this.#handshake?.failure !== undefined) return Promise.resolve(this.#handshakeReply());
        return Promise.resolve(
          localReply(
            Status.UNAVAILABLE,
            `${this.endpoint} is unreachable (no heartbeat for ${this.#liveness.timeoutMs} ms)`,
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
    const id = this.#allocateId();
    // The envelope goes straight into the frame of the batch it travels in.
    const envelopes = this.#writer.open('', undefined, bytes);
    const start = envelopes.length;
    appendRequestEnvelope(
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
    const tooLarge = checkRequestEnvelope(envelopes.length - start, this.#opts.limits);
    if (tooLarge !== undefined) {
      envelopes.length = start;
      return Promise.resolve(limitReply(tooLarge));
    }
    const pending: Pending = {
      id,
      deadlineMs: req.deadlineMs,
      resolve: noResolve,
      signal: req.signal,
      onAbort: undefined,
      sent: false,
      settled: false,
      expiresAt: 0,
      prev: undefined,
      next: undefined,
      list: undefined,
    };
    if (req.signal !== undefined) {
      pending.onAbort = () => this.#giveUp(id, localReply(Status.CANCELLED, 'cancelled by the caller'));
      req.signal.addEventListener('abort', pending.onAbort, { once: true });
    }
    // The executor stores into the new (young) record, not into long-lived
    // state, which would cost a write barrier per request.
    const promise = new Promise<Reply>((resolve) => {
      pending.resolve = resolve;
    });
    this.#pending.set(id, pending);
    const now = performance.now();
    this.#deadlines.add(pending, Math.ceil(req.deadlineMs), now);
    this.#lastSent = now;
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
    clearInterval(this.#timer);
    const cancelled = localReply(Status.CANCELLED, 'client closed');
    for (const id of [...this.#pending.keys()]) this.#settle(id, { ...cancelled });
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

  #handshakeReply(): Reply {
    return {
      ...localReply(
        Status.UNAVAILABLE,
        `${this.endpoint}: ${this.#handshake?.failure ?? 'handshake failed'}`,
      ),
      details: { code: 'ERR_COURIER_HANDSHAKE_FAILED' },
    };
  }

  /**
   * No connection could be secured: calls in flight end now, with the
   * reason, and new ones fail fast until a handshake succeeds (libzmq keeps
   * retrying at its reconnect interval).
   */
  #onHandshakeFailed(_message: string): void {
    if (this.#state === 'closed') return;
    for (const id of [...this.#pending.keys()]) this.#settle(id, this.#handshakeReply());
    this.#setState('dead');
    // What is still queued must not reach the server after a later success;
    // once per streak, since replacing the connection starts a new handshake.
    if (!this.#purgedForHandshake) {
      this.#purgedForHandshake = true;
      this.#purge();
    }
  }

  #allocateId(): number {
    const id = this.#nextId;
    if (id < MAX_REQUEST_ID && !this.#idsWrapped) {
      this.#nextId = id + 1;
      return id;
    }
    // Ids wrap at 2^32; from then on, skip any still in flight (and 0, which is reserved).
    this.#idsWrapped = true;
    for (;;) {
      const next = this.#nextId;
      this.#nextId = next >= MAX_REQUEST_ID ? 1 : next + 1;
      if (!this.#pending.has(next)) return next;
    }
  }

  #send(packet: Packet): void {
    this.#lastSent = performance.now();
    this.#writer.enqueue('', undefined, encodeEnvelope(packet));
  }

  #sendHeartbeat(now: number): void {
    this.#lastSent = now;
    this.#writer.enqueue(
      '',
      undefined,
      encodeEnvelope({
        cmd: Command.HEARTBEAT,
        intervalMs: this.#opts.heartbeatIntervalMs,
        liveness: this.#opts.heartbeatLiveness,
        draining: false,
      }),
    );
  }

  /** Resolves a pending call once; returns undefined if it was already settled. */
  #settle(id: number, reply: Reply): Pending | undefined {
    const pending = this.#pending.get(id);
    if (pending === undefined) return undefined;
    this.#pending.delete(id);
    pending.settled = true;
    this.#deadlines.remove(pending);
    if (pending.onAbort !== undefined) pending.signal!.removeEventListener('abort', pending.onAbort);
    pending.resolve(reply);
    return pending;
  }

  /** Settles a call the caller stopped waiting for, and tells the server if it has the request. */
  #giveUp(id: number, reply: Reply): void {
    if (this.#settle(id, reply)?.sent) this.#send({ cmd: Command.CANCEL, id });
  }

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

  #onMessage(msg: Buffer[]): void {
    if (bytesChannel.hasSubscribers) {
      bytesChannel.publish({ side: 'client', direction: 'in', bytes: frameBytes(msg) });
    }
    const { packets, errors } = decodeMessage(msg, this.#opts.limits);
    for (const error of errors) this.#onDecodeError(error);
    if (packets.length === 0) return;
    this.#liveness.seen(performance.now());
    if (this.#state === 'connecting' || this.#state === 'dead') this.#setState('alive');
    for (const packet of packets) this.#onPacket(packet);
  }

  #onPacket(packet: Packet): void {
    switch (packet.cmd) {
      case Command.REPLY:
        this.#onReply(packet);
        return;
      case Command.HEARTBEAT:
        this.#liveness.advertise(packet.intervalMs);
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

  /** A client never answers bad input: it counts it and drops it. */
  #onDecodeError(error: DecodeError): void {
    if (droppedChannel.hasSubscribers) droppedChannel.publish({ side: 'client', reason: error.code });
    // A REPLY we cannot read but whose id we can is still that request's one
    // answer: waiting for the deadline would only hide the failure. Other
    // commands are never the answer (an unknown one may be a newer revision's
    // message about a request still running).
    if (error.command === Command.REPLY && error.id !== MESSAGE_LEVEL_ID) {
      this.#settle(error.id, {
        ...localReply(Status.INTERNAL, `malformed reply from server: ${error.code}`),
        details: { code: error.code },
      });
    }
  }

  #onReply(packet: ReplyPacket): void {
    if (packet.id === MESSAGE_LEVEL_ID) {
      // A message-level error from the server: our own bug or a version
      // mismatch. Nothing to settle; make it visible, but not once per
      // message, or a misbehaving server floods the log.
      if (droppedChannel.hasSubscribers)
        droppedChannel.publish({ side: 'client', reason: 'SERVER_REJECTED' });
      const suppressed = this.#rejectedWarnings.take(performance.now());
      if (suppressed !== undefined) {
        const more = suppressed > 0 ? ` (${suppressed} more such errors since the last warning)` : '';
        process.emitWarning(
          `Courier server ${this.endpoint} rejected a message: ${packet.status} ${packet.message ?? ''}${more}`,
        );
      }
      return;
    }
    this.#settle(packet.id, {
      status: packet.status,
      message: packet.message,
      details: packet.details,
      meta: packet.meta,
      contentType: packet.contentType,
      body: packet.body,
      local: false,
    });
  }

  readonly #tick = (): void => {
    const now = performance.now();
    const { newlyMissed, dead } = this.#liveness.check(now);
    if (newlyMissed > 0 && heartbeatMissedChannel.hasSubscribers) {
      for (let i = 0; i < newlyMissed; i++) {
        heartbeatMissedChannel.publish({ side: 'client', peer: this.endpoint });
      }
    }
    if (dead && this.#state !== 'dead') {
      this.#setState('dead');
      const message = `${this.endpoint} stopped answering (no traffic for ${this.#liveness.timeoutMs} ms)`;
      for (const id of [...this.#pending.keys()]) this.#settle(id, localReply(Status.UNAVAILABLE, message));
      this.#purge();
    }
    // Keep heartbeating while dead too: it is how a restarted server finds us.
    if (now - this.#lastSent >= this.#opts.heartbeatIntervalMs * 0.9) this.#sendHeartbeat(now);
  };
}

/** A placeholder, replaced by the promise's own resolve before the record is used. */
function noResolve(): void {}

/** The local reply for a request refused before sending, with its code in `details`. */
function limitReply(violation: SendLimitViolation): Reply {
  return { ...localReply(violation.status, violation.message), details: { code: violation.code } };
}

/** A Reply decided by the caller's side (`local: true`): no server sent it. */
export function localReply(status: Status, message: string): Reply {
  return {
    status,
    message,
    details: undefined,
    meta: undefined,
    contentType: undefined,
    body: [],
    local: true,
  };
}
