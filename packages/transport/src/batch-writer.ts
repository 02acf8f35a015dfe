import { RPC_SIGNATURE } from './protocol/constants.js';
import { joinEnvelopes } from './protocol/framing.js';

/** One packet waiting in a batch: its frames (envelope + body) and the owner's tag. */
interface QueuedPacket {
  readonly frames: Buffer[];
  readonly tag: unknown;
}

/** One outgoing ZeroMQ message under construction: packets bound for one peer. */
interface Batch {
  /** ROUTER identity frame, or undefined on a DEALER. */
  readonly route: Buffer | undefined;
  readonly key: string;
  readonly packets: QueuedPacket[];
  bytes: number;
}

export interface BatchWriterOptions {
  maxBatchPackets: number;
  maxBatchBytes: number;
  /** Sends one whole message. Must resolve or reject; never called concurrently. */
  send(frames: Buffer[]): Promise<void>;
  /** Called with the tags of every packet whose message could not be sent. */
  onSendError(err: unknown, key: string, tags: unknown[]): void;
  /**
   * Called for each tagged packet just before its message is handed to
   * `send`; returning false drops that packet. Lets the owner withdraw packets
   * that became pointless while they waited (a request whose caller already
   * gave up). Untagged packets are always sent.
   */
  beforeSend?(tag: unknown): boolean;
}

/**
 * Coalesces packets into bounded multipart messages.
 *
 * Packets queued during one turn of the event loop are flushed together in the
 * check phase (setImmediate), so a burst of replies produced by many timers or
 * one batch of requests leaves as a few messages, while a lone packet leaves
 * in the same loop turn it was queued, adding no measurable latency. Batches
 * are bounded by packets and bytes: one unbounded batch stalls the pipeline.
 * A batch that reaches `maxBatchPackets` leaves at once (in a microtask), not
 * at the end of the turn: while this side works through a burst (a reply
 * message's worth of new requests, a wave of timers), the peer already works
 * on the first full batch, so a burst does not cross the pipeline as one wave.
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
      batch.packets.length >= this.#opts.maxBatchPackets ||
      batch.bytes + bytes > this.#opts.maxBatchBytes
    ) {
      batch = { route, key, packets: [], bytes: 0 };
      this.#open.set(key, batch);
      this.#queue.push(batch);
    }
    batch.packets.push({ frames, tag });
    batch.bytes += bytes;
    this.#queuedPackets++;
    if (this.#flushing !== undefined) return;
    if (batch.packets.length >= this.#opts.maxBatchPackets) queueMicrotask(this.#startFlush);
    else this.#schedule();
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
    const tags: unknown[] = [];
    for (const batch of this.#queue) {
      for (const p of batch.packets) if (p.tag !== undefined) tags.push(p.tag);
    }
    this.#queue.length = 0;
    this.#open.clear();
    this.#queuedPackets = 0;
    return tags;
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(this.#startFlush);
  }

  readonly #startFlush = (): void => {
    this.#scheduled = false;
    if (this.#flushing !== undefined || this.#queue.length === 0) return;
    this.#flushing = this.#flush().finally(() => {
      this.#flushing = undefined;
      // A packet enqueued after the flush loop saw an empty queue, but before
      // this callback ran, found a flush in progress and scheduled nothing.
      if (this.#queue.length > 0) this.#schedule();
    });
  };

  async #flush(): Promise<void> {
    for (let batch = this.#queue.shift(); batch !== undefined; batch = this.#queue.shift()) {
      if (this.#open.get(batch.key) === batch) this.#open.delete(batch.key);
      this.#queuedPackets -= batch.packets.length;
      const message = this.#assemble(batch);
      if (message === undefined) continue;
      try {
        await this.#opts.send(message.frames);
      } catch (err) {
        this.#opts.onSendError(err, batch.key, message.tags);
      }
    }
  }

  /** The message for one batch, without withdrawn packets; undefined if none is left. */
  #assemble(batch: Batch): { frames: Buffer[]; tags: unknown[] } | undefined {
    const beforeSend = this.#opts.beforeSend;
    // [route?, signature, envelopes, ...bodies]: each packet's envelope goes
    // into the one envelopes frame, filled in last; its body frames follow.
    const frames: Buffer[] =
      batch.route === undefined
        ? [RPC_SIGNATURE, RPC_SIGNATURE]
        : [batch.route, RPC_SIGNATURE, RPC_SIGNATURE];
    const envelopesAt = frames.length - 1;
    const envelopes: Buffer[] = [];
    const tags: unknown[] = [];
    for (const p of batch.packets) {
      if (p.tag !== undefined) {
        if (beforeSend !== undefined && !beforeSend(p.tag)) continue;
        tags.push(p.tag);
      }
      envelopes.push(p.frames[0]!);
      for (let f = 1; f < p.frames.length; f++) frames.push(p.frames[f]!);
    }
    if (envelopes.length === 0) return undefined;
    frames[envelopesAt] = joinEnvelopes(envelopes);
    return { frames, tags };
  }
}
