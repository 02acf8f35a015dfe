import { RPC_SIGNATURE } from './protocol/constants.js';

/** One outgoing ZeroMQ message under construction: packets bound for one peer. */
interface Batch {
  /** ROUTER identity frame, or undefined on a DEALER. */
  readonly route: Buffer | undefined;
  readonly key: string;
  readonly frames: Buffer[];
  packets: number;
  bytes: number;
  /** Opaque tags of the packets in this batch, handed back if the send fails. */
  readonly tags: unknown[];
}

export interface BatchWriterOptions {
  maxBatchPackets: number;
  maxBatchBytes: number;
  /** Sends one whole message. Must resolve or reject; never called concurrently. */
  send(frames: Buffer[]): Promise<void>;
  /** Called with the tags of every packet whose message could not be sent. */
  onSendError(err: unknown, key: string, tags: unknown[]): void;
}

/**
 * Coalesces packets into bounded multipart messages.
 *
 * Packets queued during one turn of the event loop are flushed together in the
 * check phase (setImmediate), so a burst of replies produced by many timers or
 * one batch of requests leaves as a few messages, while a lone packet leaves
 * in the same loop turn it was queued, adding no measurable latency. Batches
 * are bounded by packets and bytes: one unbounded batch stalls the pipeline.
 *
 * Only one send is ever outstanding: zeromq.js completes `send()` synchronously
 * when the socket is ready, and throws EBUSY after ~512 un-awaited sends, so
 * awaiting each send here *is* the back-pressure, and this queue is the only
 * buffer.
 */
export class BatchWriter {
  readonly #opts: BatchWriterOptions;
  readonly #queue: Batch[] = [];
  /** The batch still accepting packets, per destination. */
  readonly #open = new Map<string, Batch>();
  #scheduled = false;
  #flushing: Promise<void> | undefined;
  #queuedPackets = 0;

  constructor(opts: BatchWriterOptions) {
    this.#opts = opts;
  }

  /** Packets waiting to be sent. */
  get pending(): number {
    return this.#queuedPackets;
  }

  /**
   * Queues one packet's frames (envelope + body) for a destination.
   * `route` is the ROUTER identity frame; `key` identifies the destination.
   */
  enqueue(key: string, route: Buffer | undefined, frames: Buffer[], tag?: unknown): void {
    let bytes = 0;
    for (const f of frames) bytes += f.length;
    let batch = this.#open.get(key);
    if (
      batch === undefined ||
      batch.packets >= this.#opts.maxBatchPackets ||
      batch.bytes + bytes > this.#opts.maxBatchBytes
    ) {
      batch = {
        route,
        key,
        frames: route === undefined ? [RPC_SIGNATURE] : [route, RPC_SIGNATURE],
        packets: 0,
        bytes: 0,
        tags: [],
      };
      this.#open.set(key, batch);
      this.#queue.push(batch);
    }
    for (const f of frames) batch.frames.push(f);
    batch.packets++;
    batch.bytes += bytes;
    if (tag !== undefined) batch.tags.push(tag);
    this.#queuedPackets++;
    if (!this.#scheduled && this.#flushing === undefined) {
      this.#scheduled = true;
      setImmediate(this.#startFlush);
    }
  }

  /** Resolves once everything queued so far has been handed to the socket. */
  async flushed(): Promise<void> {
    while (this.#flushing !== undefined || this.#scheduled || this.#queue.length > 0) {
      if (this.#flushing === undefined && !this.#scheduled) this.#startFlush();
      await (this.#flushing ?? new Promise<void>((resolve) => setImmediate(resolve)));
    }
  }

  /** Drops everything queued, returning the tags of the dropped packets. */
  clear(): unknown[] {
    const tags = this.#queue.flatMap((b) => b.tags);
    this.#queue.length = 0;
    this.#open.clear();
    this.#queuedPackets = 0;
    return tags;
  }

  readonly #startFlush = (): void => {
    this.#scheduled = false;
    if (this.#flushing !== undefined || this.#queue.length === 0) return;
    this.#flushing = this.#flush().finally(() => {
      this.#flushing = undefined;
    });
  };

  async #flush(): Promise<void> {
    let batch: Batch | undefined;
    while ((batch = this.#queue.shift()) !== undefined) {
      if (this.#open.get(batch.key) === batch) this.#open.delete(batch.key);
      this.#queuedPackets -= batch.packets;
      try {
        await this.#opts.send(batch.frames);
      } catch (err) {
        this.#opts.onSendError(err, batch.key, batch.tags);
      }
    }
  }
}
