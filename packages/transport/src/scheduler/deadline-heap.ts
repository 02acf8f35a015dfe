import { MAX_DEADLINE_MS } from '../protocol/limits.js';

/** What a DeadlineHeap needs on each entry; the heap manages these fields. */
export interface Scheduled {
  /** performance.now() timestamp at which the entry expires. */
  expiresAt: number;
  /** Position in the heap, or -1 when not scheduled. */
  heapIndex: number;
}

export interface DeadlineHeapOptions {
  /**
   * Whether a pending deadline keeps the process alive, as a per-request setTimeout
   * would (the client: a caller awaits the reply). False where something else does
   * (the server's socket, a busy worker).
   */
  ref: boolean;
}

/**
 * setTimeout's ceiling (a longer delay would fire at once): 2^31-1 ms, the one constant
 * that is also the protocol's largest deadline.
 */
export const MAX_TIMER_MS = MAX_DEADLINE_MS;

/**
 * The one deadline scheduler of the transport, the core server and the compute pool:
 * a binary min-heap on `expiresAt` with one timer for its root.
 *
 * Chosen over a hashed timer wheel, the per-duration lists and the young-list sweep it
 * replaces by `npm run bench:timers` (benchmarks/RESULTS.md): it is correct and fast for
 * deadlines spread over many values (a chain of propagated deadlines gives every request
 * its own), with O(log n) add and remove and nothing allocated per entry (the entries
 * are the caller's own objects). Adds with one duration arrive in expiry order, so they
 * sift up no levels at all.
 *
 * The timer is left armed when its entry goes (one request at a time would otherwise
 * clear and set a timer per call): it fires at most once early, finds nothing due and
 * re-arms for the new root. With nothing left it is unref'd, so it never holds the
 * process open for a deadline nobody waits on.
 */
export class DeadlineHeap<T extends Scheduled> {
  readonly #heap: T[] = [];
  readonly #onExpire: (entry: T) => void;
  readonly #ref: boolean;
  #timer: NodeJS.Timeout | undefined;
  /** When the armed timer fires (performance.now() scale). */
  #timerAt = Number.POSITIVE_INFINITY;

  constructor(onExpire: (entry: T) => void, options: DeadlineHeapOptions) {
    this.#onExpire = onExpire;
    this.#ref = options.ref;
  }

  get size(): number {
    return this.#heap.length;
  }

  /** Schedules `entry` to expire at `expiresAt` (performance.now() scale); re-schedules it if already in. */
  add(entry: T, expiresAt: number): void {
    if (entry.heapIndex >= 0) this.remove(entry);
    entry.expiresAt = expiresAt;
    const heap = this.#heap;
    entry.heapIndex = heap.length;
    heap.push(entry);
    this.#up(entry.heapIndex);
    if (heap.length === 1 && this.#timer !== undefined && this.#ref) this.#timer.ref();
    if (expiresAt < this.#timerAt) this.#arm(expiresAt, performance.now());
  }

  /** Cancels `entry`'s deadline; a no-op if it has none. */
  remove(entry: T): void {
    const i = entry.heapIndex;
    if (i < 0) return;
    entry.heapIndex = -1;
    const heap = this.#heap;
    const last = heap.pop() as T;
    if (last !== entry) {
      heap[i] = last;
      last.heapIndex = i;
      this.#up(i);
      this.#down(last.heapIndex);
    }
    if (heap.length === 0) this.#timer?.unref();
  }

  /** Cancels every deadline and the timer. */
  clear(): void {
    for (const entry of this.#heap) entry.heapIndex = -1;
    this.#heap.length = 0;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
  }

  #arm(at: number, now: number): void {
    clearTimeout(this.#timer);
    const delay = Math.min(Math.max(0, at - now), MAX_TIMER_MS);
    this.#timerAt = now + delay;
    this.#timer = setTimeout(this.#fire, delay);
    if (!this.#ref) this.#timer.unref();
  }

  readonly #fire = (): void => {
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
    const heap = this.#heap;
    const now = performance.now();
    // Node's timers run on the loop's cached millisecond clock, which can lag
    // performance.now() by up to a millisecond either way.
    while (heap.length > 0 && heap[0]!.expiresAt <= now + 1) {
      const entry = heap[0]!;
      this.remove(entry);
      this.#onExpire(entry);
    }
    // onExpire may have added an earlier entry, arming the timer already.
    if (heap.length > 0 && this.#timer === undefined) this.#arm(heap[0]!.expiresAt, now);
  };

  #up(i: number): void {
    const heap = this.#heap;
    const entry = heap[i]!;
    while (i > 0) {
      const parentIndex = (i - 1) >> 1;
      const parent = heap[parentIndex]!;
      if (parent.expiresAt <= entry.expiresAt) break;
      heap[i] = parent;
      parent.heapIndex = i;
      i = parentIndex;
    }
    heap[i] = entry;
    entry.heapIndex = i;
  }

  #down(i: number): void {
    const heap = this.#heap;
    const n = heap.length;
    const entry = heap[i]!;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && heap[child + 1]!.expiresAt < heap[child]!.expiresAt) child++;
      const next = heap[child]!;
      if (entry.expiresAt <= next.expiresAt) break;
      heap[i] = next;
      next.heapIndex = i;
      i = child;
    }
    heap[i] = entry;
    entry.heapIndex = i;
  }
}
