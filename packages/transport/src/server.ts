import { performance } from 'node:perf_hooks';
import * as zmq from 'zeromq';
import { bindAll } from './bind.js';
import { bytesChannel, droppedChannel, heartbeatMissedChannel, peerChannel } from './diagnostics.js';
import { TransportError } from './errors.js';
import { Liveness } from './heartbeat.js';
import { type ResolvedSocketOptions, resolveSocketOptions, type SocketOptions } from './options.js';
import { FastCodec } from './protocol/codec.js';
import { Command, Status } from './protocol/constants.js';
import type { DecodeError } from './protocol/decode-error.js';
import type { Packet, RequestPacket } from './protocol/envelope.js';
import { bodyBytes, truncateText } from './protocol/limits.js';
import { receiveLoop } from './receive-loop.js';
import { AbortReason, type IncomingRequest, type OutgoingReply } from './request.js';
import { ServerSecurity, type ServerSecurityOptions } from './security/server-security.js';
import { type Peer, track, untrack, untrackAll } from './server/peer.js';
import { decodeErrorEnvelope, ReplyWriter } from './server/reply-writer.js';
import {
  type ResolvedServerLimits,
  refusedOverBudget,
  resolveServerLimits,
  type ServerLimitOptions,
} from './server/server-limits.js';
import { type ReplySink, ServerRequest } from './server/server-request.js';

export interface ServerOptions extends SocketOptions, ServerLimitOptions {
  /**
   * Endpoints to bind, e.g. `tcp://127.0.0.1:7001`, `tcp://127.0.0.1:*`
   * (any free port; read the result from `endpoints`), `ipc:///tmp/x.sock`,
   * `inproc://name`.
   */
  bind: string | readonly string[];
  /**
   * Called once per valid request. The callee must eventually call
   * `req.reply()` exactly once (a second call is ignored), unless the
   * request's signal aborts first, after which replies are discarded.
   */
  onRequest: (req: IncomingRequest) => void;
  /**
   * CURVE encryption and client authentication (docs/security.md): only
   * clients whose key `allow` accepts get through the handshake, and each
   * request carries its caller's identity (`req.caller`). Omitted: plaintext.
   */
  security?: ServerSecurityOptions;
}

/**
 * The server end of the Courier protocol: a ROUTER socket that decodes
 * requests, tracks peers by heartbeat, and batches replies.
 *
 * @example
 * const server = await TransportServer.listen({
 *   bind: 'tcp://127.0.0.1:*',
 *   onRequest: (req) => req.reply({ status: Status.OK, body: req.body }),
 * });
 */
export class TransportServer implements ReplySink<Peer> {
  readonly #opts: ResolvedSocketOptions;
  readonly #limits: ResolvedServerLimits;
  readonly #bind: readonly string[];
  readonly #onRequest: (req: IncomingRequest) => void;
  readonly #sock: zmq.Router;
  readonly #replies: ReplyWriter;
  /** This socket's codec: its decoding and encoding state is its own. */
  readonly #codec = new FastCodec();
  readonly #peers = new Map<string, Peer>();
  readonly #endpoints: string[] = [];
  #timer: NodeJS.Timeout | undefined;
  #loop: Promise<void> | undefined;
  #closing: Promise<void> | undefined;
  #draining = false;
  #closed = false;
  /** The request inside onRequest, not yet tracked in its peer's `inflight`. */
  #handling: ServerRequest<Peer> | undefined;
  readonly #security: ServerSecurity | undefined;

  constructor(options: ServerOptions) {
    this.#opts = resolveSocketOptions(options);
    this.#limits = resolveServerLimits(options, this.#opts);
    this.#bind = typeof options.bind === 'string' ? [options.bind] : options.bind;
    if (this.#bind.length === 0) {
      throw new TransportError(
        'ERR_COURIER_INVALID_ENDPOINT',
        'TransportServer needs at least one bind endpoint',
      );
    }
    this.#onRequest = options.onRequest;
    this.#security = options.security === undefined ? undefined : new ServerSecurity(options.security);
    this.#sock = new zmq.Router({
      // Fail fast instead of blocking every peer behind one slow peer: a
      // reply that cannot be queued for its peer is dropped and counted, and
      // the caller's deadline still gives it an outcome.
      mandatory: true,
      sendTimeout: 0,
      sendHighWaterMark: this.#opts.sendHighWaterMark,
      receiveHighWaterMark: this.#limits.receiveHighWaterMark,
      maxMessageSize: this.#opts.maxFrameBytes,
      linger: 1000,
      // Secure routing ids are proven per key (security/caller-id.ts), so a
      // reconnect may take over its own id at once instead of being refused
      // until the server notices the old connection is gone.
      handover: options.security !== undefined,
    });
    this.#replies = new ReplyWriter(
      this.#opts,
      this.#codec,
      this.#sock,
      this.#limits.maxPeerSendQueueBytes,
      (key) => {
        // Its connection is gone: heartbeating it until its liveness ends would
        // cost a failed send per tick for nothing (ghost peers, issue #12).
        const peer = this.#peers.get(key);
        if (peer !== undefined) this.#removePeer(peer, 'gone');
      },
    );
  }

  /** Creates a server, binds it and starts serving. */
  static async listen(options: ServerOptions): Promise<TransportServer> {
    const server = new TransportServer(options);
    await server.start();
    return server;
  }

  /** The bound endpoints, with wildcard ports resolved. */
  get endpoints(): readonly string[] {
    return this.#endpoints;
  }

  /** Peers heard from within their liveness window. */
  get peerCount(): number {
    return this.#peers.size;
  }

  /** Requests received and not yet replied to or aborted. */
  get inflight(): number {
    let n = this.#handling !== undefined && !this.#handling.settled ? 1 : 0;
    for (const peer of this.#peers.values()) n += peer.inflight.size;
    return n;
  }

  /** This server's heartbeat interval in ms (the resolved option). */
  get heartbeatIntervalMs(): number {
    return this.#opts.heartbeatIntervalMs;
  }

  get draining(): boolean {
    return this.#draining;
  }

  async start(): Promise<void> {
    if (this.#loop !== undefined) return;
    // The ZAP handler must be up, and CURVE set, before the first bind.
    await this.#security?.apply(this.#sock);
    try {
      this.#endpoints.push(...(await bindAll(this.#sock, this.#bind)));
    } catch (err) {
      this.#security?.release();
      throw err;
    }
    this.#timer = setInterval(this.#tick, this.#opts.heartbeatIntervalMs);
    this.#timer.unref();
    this.#loop = this.#receiveLoop();
  }

  /**
   * Tells every peer, now and on first contact later, that this server is
   * draining (DISCONNECT), so clients send new requests elsewhere. Requests
   * that still arrive are delivered as usual; refusing them is the caller's
   * choice.
   */
  drain(reason = 'draining'): void {
    if (this.#draining || this.#closed) return;
    this.#draining = true;
    // A reason over the protocol's limit would make clients drop the DISCONNECT.
    const fitting = truncateText(reason);
    for (const peer of this.#peers.values())
      this.#replies.send(peer, { cmd: Command.DISCONNECT, reason: fitting });
  }

  /**
   * Stops receiving, answers what is still in flight with CANCELLED (it may
   * have partly run, so not UNAVAILABLE, which promises it did not) and
   * aborts it, tells every peer it is leaving (DISCONNECT), sends what is
   * queued and closes the socket. Idempotent.
   *
   * Call drain() and wait for `inflight` to reach 0 first for a graceful stop.
   */
  async close(): Promise<void> {
    if (this.#closed) return this.#closing;
    this.#closed = true;
    this.#closing = this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    clearInterval(this.#timer);
    for (const peer of this.#peers.values()) {
      // Answer before DISCONNECT, so each caller gets its one outcome now
      // rather than after its liveness window. Aborting first makes any reply
      // the handler attempts (even from its abort listener) a no-op.
      for (const req of peer.inflight.values()) {
        req.abort(AbortReason.CLOSED);
        this.#replies.error(peer, req.id, Status.CANCELLED, 'server closed before replying');
      }
      untrackAll(peer);
      this.#replies.send(peer, { cmd: Command.DISCONNECT, reason: 'closed' });
    }
    await this.#replies.flushed();
    this.#sock.close();
    this.#security?.release();
    await this.#loop;
    // Peers met while closing (refused with UNAVAILABLE) are forgotten too.
    for (const peer of this.#peers.values()) this.#removePeer(peer, 'closed');
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #receiveLoop(): Promise<void> {
    return receiveLoop(
      this.#sock,
      () => this.#closed,
      (msg) => this.#onMessage(msg),
    );
  }

  #onMessage(msg: Buffer[]): void {
    const route = msg[0]!;
    if (bytesChannel.hasSubscribers) {
      bytesChannel.publish({ side: 'server', direction: 'in', bytes: bodyBytes(msg) - route.length });
    }
    const { packets, errors } = this.#codec.decode(msg, this.#opts.limits, 1);
    const now = performance.now();
    const key = route.toString('latin1');
    let peer = this.#peers.get(key);
    if (peer !== undefined) peer.liveness.seen(now);
    else if (this.#security !== undefined && this.#security.identify(route) === undefined) {
      // Through the handshake without a valid proof of its key, or with a
      // key no longer allowed: no service, and no reply that would confirm
      // what this is.
      if (droppedChannel.hasSubscribers)
        droppedChannel.publish({ side: 'server', reason: 'UNAUTHENTICATED' });
      return;
    }
    for (const packet of packets) {
      // A packet after a DISCONNECT in the same message is first contact
      // again: it must not land on the peer that was just removed.
      if (peer === undefined || this.#peers.get(key) !== peer) {
        if (this.#peers.size >= this.#limits.maxPeers) {
          this.#replies.refusePeer(route, packets);
          return;
        }
        peer = this.#addPeer(route, now);
      }
      this.#onPacket(peer, packet, now);
    }
    if (peer !== undefined && this.#peers.get(key) !== peer) peer = undefined;
    for (const error of errors) this.#onDecodeError(route, peer, error);
  }

  #addPeer(route: Buffer, now: number): Peer {
    const key = route.toString('latin1');
    const peer: Peer = {
      key,
      route: Buffer.from(route),
      liveness: new Liveness(
        now,
        this.#opts.heartbeatIntervalMs,
        this.#opts.heartbeatLiveness,
        this.#opts.maxPeerHeartbeatIntervalMs,
      ),
      inflight: new Map(),
      inflightBytes: 0,
      caller: this.#security?.identify(route),
      sentSinceTick: false,
    };
    this.#peers.set(key, peer);
    if (peerChannel.hasSubscribers) {
      peerChannel.publish({ side: 'server', peer: route.toString('hex'), from: 'unknown', to: 'alive' });
    }
    // Answer first contact at once, so the client learns our interval (and
    // whether we are draining) without waiting for the next tick.
    this.#replies.heartbeat(peer, this.#draining);
    if (this.#draining) this.#replies.send(peer, { cmd: Command.DISCONNECT, reason: 'draining' });
    return peer;
  }

  #removePeer(peer: Peer, to: 'dead' | 'gone' | 'closed'): void {
    this.#peers.delete(peer.key);
    for (const req of peer.inflight.values()) req.abort(AbortReason.PEER_LOST);
    untrackAll(peer);
    if (peerChannel.hasSubscribers) {
      peerChannel.publish({ side: 'server', peer: peer.route.toString('hex'), from: 'alive', to });
    }
  }

  #onPacket(peer: Peer, packet: Packet, now: number): void {
    switch (packet.cmd) {
      case Command.REQUEST:
        this.#onRequestPacket(peer, packet, now);
        return;
      case Command.CANCEL: {
        untrack(peer, packet.id)?.abort(AbortReason.CANCELLED);
        return;
      }
      case Command.HEARTBEAT:
        peer.liveness.advertise(packet.intervalMs);
        return;
      case Command.DISCONNECT:
        this.#removePeer(peer, 'gone');
        return;
      case Command.REPLY:
        // Clients do not send replies; count it and move on.
        if (droppedChannel.hasSubscribers) {
          droppedChannel.publish({ side: 'server', reason: 'UNEXPECTED_COMMAND' });
        }
        return;
    }
  }

  #onRequestPacket(peer: Peer, packet: RequestPacket, now: number): void {
    if (peer.inflight.has(packet.id)) {
      // The first request with this id is still running and will be answered;
      // a second answer would be ambiguous, so the duplicate is dropped.
      if (droppedChannel.hasSubscribers) droppedChannel.publish({ side: 'server', reason: 'DUPLICATE_ID' });
      return;
    }
    const req = new ServerRequest(this, peer, packet, now);
    if (this.#closed) {
      req.reply({ status: Status.UNAVAILABLE, message: 'server is closing' });
      return;
    }
    if (refusedOverBudget(peer, req, this.#limits.maxPeerInflightBytes)) return;
    this.#handling = req;
    try {
      this.#onRequest(req);
    } catch (err) {
      process.emitWarning(err as Error);
      req.reply({ status: Status.INTERNAL, message: 'internal error' });
    }
    this.#handling = undefined;
    if (req.settled) return;
    // Tracked by id only once it outlives onRequest (for CANCEL, duplicates,
    // peer loss and close): a request answered at once never touches the
    // map, whose churn (an insert and a delete per request, rehashing as
    // deleted entries pile up) was a measurable share of a loaded echo.
    if (this.#closed) {
      // close() ran inside the handler and could not see this request.
      req.abort(AbortReason.CLOSED);
      this.#replies.error(peer, req.id, Status.CANCELLED, 'server closed before replying');
      return;
    }
    track(peer, req);
  }

  #onDecodeError(route: Buffer, peer: Peer | undefined, error: DecodeError): void {
    if (droppedChannel.hasSubscribers) droppedChannel.publish({ side: 'server', reason: error.code });
    if (!error.replyable) return;
    const envelope = decodeErrorEnvelope(error);
    if (peer !== undefined) {
      peer.sentSinceTick = true;
      // The caller takes this error as the one reply for that id, so the
      // request still running under it must not answer a second time.
      untrack(peer, error.id)?.abort(AbortReason.CANCELLED);
    }
    this.#replies.sendTo(route, envelope);
  }

  /** @internal Called by ServerRequest.reply(). */
  sendReply(peer: Peer, req: ServerRequest<Peer>, reply: OutgoingReply): boolean {
    // ServerRequest.reply() checked that it is the one reply of a request
    // neither cancelled nor lost; one answered inside onRequest was never tracked.
    if (peer.inflight.get(req.id) === req) untrack(peer, req.id);
    peer.sentSinceTick = true;
    this.#replies.reply(peer, req.id, reply);
    return true;
  }

  readonly #tick = (): void => {
    const now = performance.now();
    for (const peer of this.#peers.values()) {
      const { newlyMissed, dead } = peer.liveness.check(now);
      if (dead) {
        this.#removePeer(peer, 'dead');
        continue;
      }
      if (newlyMissed > 0 && heartbeatMissedChannel.hasSubscribers) {
        const id = peer.route.toString('hex');
        for (let i = 0; i < newlyMissed; i++) heartbeatMissedChannel.publish({ side: 'server', peer: id });
      }
      // Any traffic counts as a heartbeat; send one only after a quiet interval.
      if (!peer.sentSinceTick) this.#replies.heartbeat(peer, this.#draining);
      peer.sentSinceTick = false;
    }
  };
}
