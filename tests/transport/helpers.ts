import diagnosticsChannel from 'node:diagnostics_channel';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as zmq from 'zeromq';
import {
  type DecodeErrorCode,
  decodeMessage,
  encodeMessage,
  type Packet,
} from '../../packages/transport/src/index.js';

/**
 * Shared helpers for the transport tests: unique addresses per transport (as
 * zeromq.js's tests do), condition polling, diagnostics capture, teardown, and
 * raw ZeroMQ peers that speak the protocol by hand.
 */

export const TRANSPORTS = ['tcp', 'ipc', 'inproc'] as const;
export type TransportKind = (typeof TRANSPORTS)[number];

let counter = 0;

/**
 * An address no other test (or test process) uses. TCP lets libzmq pick the
 * port: read the bound endpoint back from the socket or `server.endpoints`.
 */
export function uniqueAddress(kind: TransportKind): string {
  const name = `courier-${process.pid}-${++counter}-${Math.random().toString(36).slice(2, 8)}`;
  switch (kind) {
    case 'tcp':
      return 'tcp://127.0.0.1:*';
    case 'ipc':
      return `ipc://${join(tmpdir(), `${name}.sock`)}`;
    case 'inproc':
      return `inproc://${name}`;
  }
}

/**
 * An address that nothing is bound to yet but can be bound later, for tests
 * that connect first or restart a server in place.
 *
 * For TCP: a port below the ephemeral range (Linux 32768-60999, macOS
 * 49152-65535), checked free. An ephemeral port is not safe to leave empty
 * while a client keeps reconnecting to it: the OS hands it to other sockets
 * (a busy machine's listeners, connections' source ports, even the
 * reconnecting client itself, which then talks to itself).
 */
export async function reserveAddress(kind: TransportKind): Promise<string> {
  if (kind !== 'tcp') return uniqueAddress(kind);
  for (let attempt = 0; ; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    // A plain Node listener, not a zeromq one: zmq_close() closes its
    // listener later, on a background thread, where a client connecting
    // first would reach it.
    const probe = createServer();
    const free = await new Promise<boolean>((resolve) => {
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (free) {
      await new Promise<void>((resolve) => probe.close(() => resolve()));
      return `tcp://127.0.0.1:${port}`;
    }
    if (attempt >= 20) throw new Error('no free TCP port found below the ephemeral range');
  }
}

/** Polls `cond` until it holds; fails with `what` after `timeoutMs`. */
export async function waitFor(
  cond: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const start = Date.now();
  while (!(await cond())) {
    if (Date.now() - start > timeoutMs)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** Records every message published on a diagnostics channel until disposed. */
export class ChannelRecorder<T = Record<string, unknown>> {
  readonly events: T[] = [];
  readonly #name: string;
  readonly #onMessage = (msg: unknown): void => {
    this.events.push(msg as T);
  };

  constructor(name: string) {
    this.#name = name;
    diagnosticsChannel.subscribe(name, this.#onMessage);
  }

  count(pred: (event: T) => boolean = () => true): number {
    let n = 0;
    for (const e of this.events) if (pred(e)) n++;
    return n;
  }

  close(): void {
    diagnosticsChannel.unsubscribe(this.#name, this.#onMessage);
  }
}

/** Every code decodeMessage can report, for telling decode drops from other drops. */
export const DECODE_ERROR_CODES: ReadonlySet<string> = new Set<DecodeErrorCode>([
  'NOT_COURIER',
  'UNSUPPORTED_VERSION',
  'MALFORMED_ENVELOPE',
  'UNKNOWN_COMMAND',
  'INVALID_FIELD',
  'TOO_LARGE',
  'TOO_MANY_PACKETS',
]);

/** Teardown actions run in reverse order, each even if an earlier one failed. */
export class Teardown {
  readonly #actions: (() => unknown)[] = [];

  add<T>(resource: T, action: (resource: T) => unknown): T {
    this.#actions.push(() => action(resource));
    return resource;
  }

  async run(): Promise<void> {
    const errors: unknown[] = [];
    while (this.#actions.length > 0) {
      try {
        await this.#actions.pop()!();
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, 'teardown failed');
  }
}

/** One decoded message as a raw peer received it. */
export interface RawMessage {
  /** ROUTER identity of the sender (raw router only). */
  readonly route: Buffer | undefined;
  readonly frames: Buffer[];
  readonly packets: Packet[];
}

/**
 * A hand-driven protocol peer over a plain zeromq socket: it sends whatever it
 * is given, decodes whatever arrives, and lets a test wait for a packet.
 */
export class RawPeer {
  readonly socket: zmq.Dealer | zmq.Router;
  readonly received: RawMessage[] = [];
  readonly #routed: boolean;
  readonly #loop: Promise<void>;
  /** Keep only this many received messages; fuzzing receives a lot. */
  readonly #keep: number;
  /** Packets to send back for a received message, as a live server would. */
  respond: ((message: RawMessage) => Packet[] | undefined) | undefined;

  private constructor(socket: zmq.Dealer | zmq.Router, keep: number) {
    this.socket = socket;
    this.#routed = socket instanceof zmq.Router;
    this.#keep = keep;
    this.#loop = this.#receive();
  }

  /** A DEALER connected to `endpoint`, as a client would be. */
  static dealer(endpoint: string, keep = Number.POSITIVE_INFINITY): RawPeer {
    const sock = new zmq.Dealer({ linger: 0, receiveHighWaterMark: 0, sendHighWaterMark: 0 });
    sock.connect(endpoint);
    return new RawPeer(sock, keep);
  }

  /** A ROUTER bound to `address`, as a server would be; returns it with its endpoint. */
  static async router(
    address: string,
    keep = Number.POSITIVE_INFINITY,
  ): Promise<{ peer: RawPeer; endpoint: string }> {
    const sock = new zmq.Router({ linger: 0, receiveHighWaterMark: 0, sendHighWaterMark: 0 });
    await sock.bind(address);
    return { peer: new RawPeer(sock, keep), endpoint: sock.lastEndpoint! };
  }

  /** Sends raw frames (a ROUTER needs the route as frame 0). */
  async sendFrames(frames: Buffer[]): Promise<void> {
    await this.socket.send(frames);
  }

  /** Sends packets as one Courier message, to `route` on a ROUTER. */
  async send(packets: readonly Packet[], route?: Buffer): Promise<void> {
    const frames = encodeMessage(packets);
    await this.socket.send(route === undefined ? frames : [route, ...frames]);
  }

  /** Every packet received so far, oldest first. */
  packets(): Packet[] {
    return this.received.flatMap((m) => m.packets);
  }

  /** Waits for a received packet matching `pred` and returns it (and the message it came in). */
  async next<P extends Packet>(
    pred: (p: Packet) => p is P,
    what: string,
    timeoutMs?: number,
  ): Promise<{ packet: P; message: RawMessage }>;
  async next(
    pred: (p: Packet) => boolean,
    what: string,
    timeoutMs?: number,
  ): Promise<{ packet: Packet; message: RawMessage }>;
  async next(
    pred: (p: Packet) => boolean,
    what: string,
    timeoutMs = 10_000,
  ): Promise<{ packet: Packet; message: RawMessage }> {
    let found: { packet: Packet; message: RawMessage } | undefined;
    await waitFor(
      () => {
        for (const message of this.received) {
          const packet = message.packets.find(pred);
          if (packet !== undefined) {
            found = { packet, message };
            return true;
          }
        }
        return false;
      },
      what,
      timeoutMs,
    );
    return found!;
  }

  async close(): Promise<void> {
    this.socket.close();
    await this.#loop;
  }

  async #receive(): Promise<void> {
    for (;;) {
      let msg: Buffer[];
      try {
        msg = await this.socket.receive();
      } catch {
        if (this.socket.closed) return;
        continue;
      }
      const route = this.#routed ? msg[0] : undefined;
      const frames = this.#routed ? msg.slice(1) : msg;
      const message: RawMessage = { route, frames, packets: decodeMessage(frames).packets };
      this.received.push(message);
      if (this.received.length > this.#keep) this.received.shift();
      const answer = this.respond?.(message);
      if (answer !== undefined && answer.length > 0) await this.send(answer, route).catch(() => {});
    }
  }
}

/** A RawPeer.respond hook that answers every heartbeat like a server with this interval. */
export function answerHeartbeats(intervalMs: number): (message: RawMessage) => Packet[] | undefined {
  return (message) =>
    message.packets.some((p) => p.cmd === 4)
      ? [{ cmd: 4, intervalMs, liveness: 3, draining: false }]
      : undefined;
}

/**
 * A RawPeer.respond hook playing a server with this heartbeat interval:
 * heartbeats answered, every request echoed with 200 and its own body.
 */
export function answerEchoes(intervalMs: number): (message: RawMessage) => Packet[] {
  return (message) => {
    const out: Packet[] = [];
    for (const p of message.packets) {
      if (p.cmd === 4) out.push({ cmd: 4, intervalMs, liveness: 3, draining: false });
      if (p.cmd === 1) {
        out.push({
          cmd: 2,
          id: p.id,
          status: 200,
          message: undefined,
          details: undefined,
          meta: undefined,
          contentType: undefined,
          body: p.body,
        });
      }
    }
    return out;
  };
}

/** Type guards for RawPeer.next(). */
export const is = {
  reply:
    (id?: number) =>
    (p: Packet): p is Extract<Packet, { cmd: 2 }> =>
      p.cmd === 2 && (id === undefined || p.id === id),
  request:
    (id?: number) =>
    (p: Packet): p is Extract<Packet, { cmd: 1 }> =>
      p.cmd === 1 && (id === undefined || p.id === id),
  cancel: (p: Packet): p is Extract<Packet, { cmd: 3 }> => p.cmd === 3,
  heartbeat: (p: Packet): p is Extract<Packet, { cmd: 4 }> => p.cmd === 4,
  disconnect: (p: Packet): p is Extract<Packet, { cmd: 5 }> => p.cmd === 5,
};
