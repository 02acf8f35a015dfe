import { MAX_REQUEST_ID } from '../protocol/constants.js';
import { DeadlineHeap, type Scheduled } from '../scheduler/deadline-heap.js';
import type { Reply } from './request-reply.js';

/** One request waiting for its outcome. */
export interface Pending extends Scheduled {
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

/**
 * The requests in flight, by id, with their deadlines: each is settled
 * exactly once, by its reply, its deadline, its signal or the client.
 */
export class PendingTable {
  readonly #pending = new Map<number, Pending>();
  readonly #deadlines: DeadlineHeap<Pending>;
  #nextId = 1;
  /** Ids reached 2^32 and started again at 1, so a new one may still be in flight. */
  #idsWrapped = false;

  /** `onDeadline` is called for a request whose deadline passed unsettled. */
  constructor(onDeadline: (pending: Pending) => void) {
    // Ref'd: like a per-request setTimeout, a pending deadline keeps the process alive.
    this.#deadlines = new DeadlineHeap<Pending>(onDeadline, { ref: true });
  }

  get size(): number {
    return this.#pending.size;
  }

  allocateId(): number {
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

  /**
   * A new record for request `id`, not yet tracked; when the request has a
   * signal, its abort calls `onAbort(id)`.
   */
  create(
    id: number,
    deadlineMs: number,
    signal: AbortSignal | undefined,
    onAbort: (id: number) => void,
  ): Pending {
    const pending: Pending = {
      id,
      deadlineMs,
      resolve: noResolve,
      signal,
      onAbort: undefined,
      sent: false,
      settled: false,
      expiresAt: 0,
      heapIndex: -1,
    };
    if (signal !== undefined) {
      pending.onAbort = () => onAbort(id);
      signal.addEventListener('abort', pending.onAbort, { once: true });
    }
    return pending;
  }

  /** Tracks `pending` until it is settled or `expiresAt` (performance.now() time) passes. */
  track(pending: Pending, expiresAt: number): Promise<Reply> {
    // The executor stores into the new (young) record, not into long-lived
    // state, which would cost a write barrier per request.
    const promise = new Promise<Reply>((resolve) => {
      pending.resolve = resolve;
    });
    this.#pending.set(pending.id, pending);
    this.#deadlines.add(pending, expiresAt);
    return promise;
  }

  /** Resolves a pending call once; returns undefined if it was already settled. */
  settle(id: number, reply: Reply): Pending | undefined {
    const pending = this.#pending.get(id);
    if (pending === undefined) return undefined;
    this.#pending.delete(id);
    pending.settled = true;
    this.#deadlines.remove(pending);
    if (pending.onAbort !== undefined) pending.signal!.removeEventListener('abort', pending.onAbort);
    pending.resolve(reply);
    return pending;
  }

  /** Settles every call in flight, each with a reply of its own from `reply()`. */
  settleAll(reply: () => Reply): void {
    for (const id of [...this.#pending.keys()]) this.settle(id, reply());
  }
}

/** A placeholder, replaced by the promise's own resolve before the record is used. */
function noResolve(): void {}
