/** Placeholder for the id frame, filled in when the batch is sent. */
const NO_IDS = Buffer.alloc(0);

/** One outgoing message under construction: requests or replies for one peer. */
interface RawBatch {
  readonly key: string;
  /** [route?, ids, body_1, ..., body_n]; the ids frame is written at send time. */
  readonly frames: Buffer[];
  /** Index of the ids frame in `frames`. */
  readonly idsAt: number;
  readonly ids: number[];
  bytes: number;
}

export interface RawBatchWriterOptions {
  /** Sends one whole message; never called again before the previous call settled. */
  send(frames: Buffer[]): Promise<void>;
  /** A send failed; the benchmark treats that as fatal. */
  onError(err: unknown): void;
  /** Most requests per message. @default 128 (as Courier) */
  maxBatchPackets?: number;
  /** Most body bytes per message. @default 256 KiB (as Courier) */
  maxBatchBytes?: number;
}

/**
 * The raw baseline's batching: everything queued for a peer during one tick
 * (the current callback and the microtasks it triggers) leaves as one multipart message
 * `[ids, body_1, ..., body_n]`, where `ids` packs the n request ids as
 * little-endian uint32s. One id frame per batch instead of one envelope per
 * request is the cheapest framing that still matches replies to requests.
 *
 * Batches are bounded (packets, bytes), and each send is awaited before the
 * next: zeromq.js completes send() synchronously when the socket is ready, and
 * an un-awaited send() rejects with EBUSY once the socket is mute.
 */
export class RawBatchWriter {
  readonly #send: (frames: Buffer[]) => Promise<void>;
  readonly #onError: (err: unknown) => void;
  readonly #maxPackets: number;
  readonly #maxBytes: number;
  readonly #queue: RawBatch[] = [];
  readonly #open = new Map<string, RawBatch>();
  #scheduled = false;
  #flushing = false;

  constructor(options: RawBatchWriterOptions) {
    this.#send = options.send;
    this.#onError = options.onError;
    this.#maxPackets = options.maxBatchPackets ?? 128;
    this.#maxBytes = options.maxBatchBytes ?? 256 * 1024;
  }

  /** Queues one request or reply for the peer `key` (`route` is the ROUTER identity, if any). */
  enqueue(key: string, route: Buffer | undefined, id: number, body: Buffer): void {
    let batch = this.#open.get(key);
    if (
      batch === undefined ||
      batch.ids.length >= this.#maxPackets ||
      batch.bytes + body.length > this.#maxBytes
    ) {
      batch = {
        key,
        frames: route === undefined ? [NO_IDS] : [route, NO_IDS],
        idsAt: route === undefined ? 0 : 1,
        ids: [],
        bytes: 0,
      };
      this.#open.set(key, batch);
      this.#queue.push(batch);
    }
    batch.ids.push(id);
    batch.frames.push(body);
    batch.bytes += body.length;
    if (!this.#scheduled && !this.#flushing) {
      this.#scheduled = true;
      // A microtask runs after everything the current callback queues, so
      // replies to one received batch (or requests issued by the callers that
      // one reply batch woke) still leave together, yet without waiting for
      // the check phase. Measured faster than setImmediate here, at every
      // load (see benchmarks/RESULTS.md).
      queueMicrotask(this.#flush);
    }
  }

  readonly #flush = async (): Promise<void> => {
    this.#scheduled = false;
    this.#flushing = true;
    for (let batch = this.#queue.shift(); batch !== undefined; batch = this.#queue.shift()) {
      if (this.#open.get(batch.key) === batch) this.#open.delete(batch.key);
      const { ids, frames } = batch;
      const idFrame = Buffer.allocUnsafe(ids.length * 4);
      for (let i = 0; i < ids.length; i++) idFrame.writeUInt32LE(ids[i]!, i * 4);
      frames[batch.idsAt] = idFrame;
      try {
        await this.#send(frames);
      } catch (err) {
        this.#onError(err);
      }
    }
    this.#flushing = false;
  };
}

/**
 * Checks a received `[ids, body_1, ..., body_n]` (starting at `offset`, after
 * any route) and returns n. Request i has id `ids.readUInt32LE(4 * i)` and
 * body `frames[offset + 1 + i]`.
 */
export function packetCount(frames: readonly Buffer[], offset: number): number {
  const idFrame = frames[offset];
  const n = frames.length - offset - 1;
  if (idFrame === undefined || idFrame.length !== n * 4) {
    throw new Error(
      `malformed raw message: ${frames.length - offset} frames, id frame of ${idFrame?.length} bytes`,
    );
  }
  return n;
}
