import * as zmq from 'zeromq';
import { rawCurveClientOptions, rawCurveServerOptions } from '../security/curve-env.js';
import type { EchoClient, EchoServer } from './echo.js';
import { packetCount, RawBatchWriter } from './raw-batch-writer.js';

/** High-water marks as Courier's defaults, so neither side queues more. */
const HWM = 10_000;

/**
 * The baseline server: a zeromq.js ROUTER that decodes each batch, answers
 * every request through a handler call (as any real server would), and
 * batches the replies per peer.
 */
export class RawEchoServer implements EchoServer {
  readonly endpoint: string;
  /** ZeroMQ messages received and sent so far: how well batching worked. */
  messagesIn = 0;
  messagesOut = 0;
  readonly #handler: RawHandler;
  readonly #sock: zmq.Router;
  readonly #writer: RawBatchWriter;
  readonly #loop: Promise<void>;
  #closed = false;

  private constructor(sock: zmq.Router, endpoint: string, handler: RawHandler) {
    this.#sock = sock;
    this.endpoint = endpoint;
    this.#handler = handler;
    this.#writer = new RawBatchWriter({
      send: (frames) => {
        this.messagesOut++;
        return sock.send(frames);
      },
      onError: (err) => {
        if (!this.#closed) throw err;
      },
    });
    this.#loop = this.#receiveLoop();
  }

  /** `handler` answers each request: by default the echo, at once; an async one replies when it settles. */
  static async listen(bind: string, handler: RawHandler = echo): Promise<RawEchoServer> {
    const sock = new zmq.Router({
      sendHighWaterMark: HWM,
      receiveHighWaterMark: HWM,
      linger: 0,
      ...rawCurveServerOptions(),
    });
    await sock.bind(bind);
    return new RawEchoServer(sock, sock.lastEndpoint ?? bind, handler);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#sock.close();
    await this.#loop;
  }

  async #receiveLoop(): Promise<void> {
    while (!this.#closed) {
      let msg: Buffer[];
      try {
        msg = await this.#sock.receive();
      } catch (err) {
        if (this.#closed) return;
        throw err;
      }
      this.messagesIn++;
      const route = msg[0]!;
      const key = route.toString('latin1');
      const n = packetCount(msg, 1);
      const ids = msg[1]!;
      for (let i = 0; i < n; i++) {
        const id = ids.readUInt32LE(i * 4);
        const reply = this.#handler(msg[2 + i]!);
        if (reply instanceof Promise) {
          void reply.then((body) => {
            if (!this.#closed) this.#writer.enqueue(key, route, id, body);
          });
        } else {
          this.#writer.enqueue(key, route, id, reply);
        }
      }
    }
  }
}

/** Answers one request body with a reply body, at once or later. */
export type RawHandler = (body: Buffer) => Buffer | Promise<Buffer>;

/** The request handler: the benchmark measures transport, so it does nothing. */
function echo(body: Buffer): Buffer {
  return body;
}

/**
 * The baseline client: a zeromq.js DEALER with many requests in flight,
 * matched to replies by a uint32 id, requests batched per event-loop turn.
 * No deadlines, heartbeats or cancellation: the least a request/reply client
 * can do.
 */
export class RawEchoClient implements EchoClient {
  readonly #sock: zmq.Dealer;
  readonly #writer: RawBatchWriter;
  readonly #pending = new Map<number, (body: Buffer) => void>();
  readonly #loop: Promise<void>;
  #nextId = 1;
  #closed = false;

  constructor(endpoint: string) {
    this.#sock = new zmq.Dealer({
      sendHighWaterMark: HWM,
      receiveHighWaterMark: HWM,
      linger: 0,
      ...rawCurveClientOptions(),
    });
    this.#sock.connect(endpoint);
    this.#writer = new RawBatchWriter({
      send: (frames) => this.#sock.send(frames),
      onError: (err) => {
        if (!this.#closed) throw err;
      },
    });
    this.#loop = this.#receiveLoop();
  }

  echo(body: Buffer): Promise<Buffer> {
    const id = this.#nextId;
    this.#nextId = id === 0xffff_ffff ? 1 : id + 1;
    return new Promise((resolve) => {
      this.#pending.set(id, resolve);
      this.#writer.enqueue('', undefined, id, body);
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#sock.close();
    await this.#loop;
  }

  async #receiveLoop(): Promise<void> {
    while (!this.#closed) {
      let msg: Buffer[];
      try {
        msg = await this.#sock.receive();
      } catch (err) {
        if (this.#closed) return;
        throw err;
      }
      const n = packetCount(msg, 0);
      const ids = msg[0]!;
      for (let i = 0; i < n; i++) {
        const id = ids.readUInt32LE(i * 4);
        const resolve = this.#pending.get(id);
        if (resolve === undefined) continue;
        this.#pending.delete(id);
        resolve(msg[1 + i]!);
      }
    }
  }
}
