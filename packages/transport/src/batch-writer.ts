import { type Codec, FastCodec } from './protocol/codec.js';
import { RPC_SIGNATURE } from './protocol/constants.js';
import { bodyBytes } from './protocol/limits.js';
import type { EnvelopeFrame } from './protocol/pack-envelope.js';

/**
 * One outgoing ZeroMQ message under construction: packets bound for one peer.
 * Their envelopes are written into one frame as they are queued; packet i
 * has the envelope bytes up to `ends[i]`, body `bodies[i]` and tag `tags[i]`
 * (parallel arrays, not an object per packet: every request and reply
 * passes here).
 */
interface Batch {
  /** ROUTER identity frame, or undefined on a DEALER. */
  readonly route: Buffer | undefined;
  readonly key: string;
  readonly dest: Destination;
  readonly envelopes: EnvelopeFrame;
  readonly ends: number[];
  readonly bodies: (readonly Buffer[])[];
  /** The owner's tag per packet; undefined for untagged packets. */
  readonly tags: unknown[];
  bytes: number;
}

/** One destination's state: its batch still accepting packets, and the bytes it has queued. */
interface Destination {
  open: Batch | undefined;
  /** Envelope and body bytes of this destination's committed packets not yet handed to the socket. */
  queuedBytes: number;
}

export interface BatchWriterOptions {
  /** The socket's codec, whose slab the envelopes frames come from (a new FastCodec if not given). */
  codec?: Codec;
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
  readonly #codec: Codec;
  readonly #queue: Batch[] = [];
  /**
   * Destinations with a batch open or bytes queued. One entry per key,
   * deleted once its bytes are sent, so the map is no larger than the queue.
   */
  readonly #open = new Map<string, Destination>();
  #scheduled = false;
  #flushing: Promise<void> | undefined;
  /** The batch open() chose for the packet commit() will queue. */
  #opened: Batch | undefined;
  /** Initial capacity of a new batch's envelopes frame, from the last one sent. */
  #frameBytesHint = MIN_FRAME_BYTES_HINT;
  #isOpen = false;
  /** The body size open() was given for that packet. */
  #openedBodyBytes = 0;
  /** Where the open packet's envelope starts in its batch's envelopes frame. */
  #openedAt = 0;
  #queuedPackets = 0;
  #queuedBytes = 0;

  constructor(opts: BatchWriterOptions) {
    this.#opts = opts;
    this.#codec = opts.codec ?? new FastCodec();
  }

  /** Packets waiting to be sent. */
  get pending(): number {
    return this.#queuedPackets;
  }

  /** Envelope and body bytes waiting to be sent, to every destination. */
  get pendingBytes(): number {
    return this.#queuedBytes;
  }

  /**
   * Bytes already queued for the destination of the packet open() started
   * (not counting that packet): what a per-destination byte bound checks.
   */
  get openedQueueBytes(): number {
    return this.#opened === undefined ? 0 : this.#opened.dest.queuedBytes;
  }

  /**
   * Starts a packet for a destination and returns the envelopes frame to
   * append its envelope to; commit() then queues it. Nothing else may be
   * queued in between. A caller that appends nothing and does not commit
   * leaves no trace. `route` is the ROUTER identity frame; `key` identifies
   * the destination; `bodySize` is the size of the body commit() will get,
   * and `envelopeBytes` that of the envelope if already known, for the
   * batch's byte bound.
   */
  open(key: string, route: Buffer | undefined, bodySize: number, envelopeBytes = 0): EnvelopeFrame {
    let dest = this.#open.get(key);
    if (dest === undefined) {
      dest = { open: undefined, queuedBytes: 0 };
      this.#open.set(key, dest);
    }
    let batch = dest.open;
    if (
      batch === undefined ||
      batch.ends.length >= this.#opts.maxBatchPackets ||
      (batch.ends.length > 0 && batch.bytes + bodySize + envelopeBytes > this.#opts.maxBatchBytes)
    ) {
      batch = {
        route,
        key,
        dest,
        envelopes: this.#codec.frame(this.#frameBytesHint),
        ends: [],
        bodies: [],
        tags: [],
        bytes: 0,
      };
      dest.open = batch;
      this.#queue.push(batch);
    }
    // Stored only when it changes: a young batch stored into this long-lived
    // writer costs a write barrier, and open() runs once per packet.
    if (this.#opened !== batch) this.#opened = batch;
    this.#isOpen = true;
    this.#openedBodyBytes = bodySize;
    this.#openedAt = batch.envelopes.length;
    return batch.envelopes;
  }

  /** Bytes appended to the frame since open(): the open packet's envelope so far. */
  get openedBytes(): number {
    return this.#isOpen && this.#opened !== undefined ? this.#opened.envelopes.length - this.#openedAt : 0;
  }

  /**
   * Drops the packet started by open(): whatever was appended since goes, and
   * nothing is queued. The writer owns its frames, so callers never rewind one.
   */
  rollback(): void {
    const batch = this.#opened;
    if (!this.#isOpen || batch === undefined) throw new Error('BatchWriter.rollback() without open()');
    this.#isOpen = false;
    batch.envelopes.length = this.#openedAt;
  }

  /**
   * Queues the packet started by open(): its envelope is what was appended
   * since, its body frames are `body`, of the size given to open() (not
   * copied: they must not change until sent).
   */
  commit(body: readonly Buffer[] = NO_BODY, tag?: unknown): void {
    const batch = this.#opened;
    if (!this.#isOpen || batch === undefined) throw new Error('BatchWriter.commit() without open()');
    this.#isOpen = false;
    const start = batch.ends.length === 0 ? 0 : batch.ends[batch.ends.length - 1]!;
    const bytes = batch.envelopes.length - start + this.#openedBodyBytes;
    batch.bytes += bytes;
    batch.dest.queuedBytes += bytes;
    this.#queuedBytes += bytes;
    batch.ends.push(batch.envelopes.length);
    batch.bodies.push(body);
    batch.tags.push(tag);
    this.#queuedPackets++;
    if (this.#flushing !== undefined) return;
    if (batch.ends.length >= this.#opts.maxBatchPackets) queueMicrotask(this.#startFlush);
    else this.#schedule();
  }

  /** Queues one packet whose envelope is already encoded. */
  enqueue(
    key: string,
    route: Buffer | undefined,
    envelope: Buffer,
    body: readonly Buffer[] = NO_BODY,
    tag?: unknown,
  ): void {
    this.open(key, route, bodyBytes(body), envelope.length).append(envelope);
    this.commit(body, tag);
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
      for (const tag of batch.tags) if (tag !== undefined) tags.push(tag);
    }
    this.#queue.length = 0;
    this.#open.clear();
    this.#queuedPackets = 0;
    this.#queuedBytes = 0;
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
      const dest = batch.dest;
      if (dest.open === batch) dest.open = undefined;
      dest.queuedBytes -= batch.bytes;
      this.#queuedBytes -= batch.bytes;
      // A destination is forgotten with its last queued byte, unless a
      // batch is still open for it (an open, uncommitted packet).
      if (dest.open === undefined && dest.queuedBytes === 0 && this.#open.get(batch.key) === dest) {
        this.#open.delete(batch.key);
      }
      this.#queuedPackets -= batch.ends.length;
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
    const { ends, bodies } = batch;
    // [route?, signature, envelopes, ...bodies]; the envelopes frame is filled in last.
    const frames: Buffer[] =
      batch.route === undefined
        ? [RPC_SIGNATURE, RPC_SIGNATURE]
        : [batch.route, RPC_SIGNATURE, RPC_SIGNATURE];
    const envelopesAt = frames.length - 1;
    const tags: unknown[] = [];
    const written = batch.envelopes.bytes();
    // The next batches start with room for about as much: a lone request's
    // frame takes a few dozen bytes of the slab, a full batch's a few KiB.
    this.#frameBytesHint = Math.min(MAX_FRAME_BYTES_HINT, Math.max(MIN_FRAME_BYTES_HINT, written.length * 2));
    // The kept packets' envelopes, copied only once a packet is withdrawn.
    let kept: EnvelopeFrame | undefined;
    for (let i = 0; i < ends.length; i++) {
      const tag = batch.tags[i];
      const start = i === 0 ? 0 : ends[i - 1]!;
      if (tag !== undefined) {
        if (beforeSend !== undefined && !beforeSend(tag)) {
          if (kept === undefined) {
            kept = this.#codec.frame(written.length);
            kept.append(written.subarray(0, start));
          }
          continue;
        }
        tags.push(tag);
      }
      kept?.append(written.subarray(start, ends[i]));
      const body = bodies[i]!;
      for (let f = 0; f < body.length; f++) frames.push(body[f]!);
    }
    const envelopes = kept === undefined ? written : kept.bytes();
    if (envelopes.length === 0) return undefined;
    frames[envelopesAt] = envelopes;
    return { frames, tags };
  }
}

const MIN_FRAME_BYTES_HINT = 64;
const MAX_FRAME_BYTES_HINT = 8192;

const NO_BODY: readonly Buffer[] = Object.freeze([]) as readonly Buffer[];
