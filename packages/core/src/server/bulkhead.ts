import { type CriticalityRank, SHEDDABLE } from '../criticality.js';
import { type Queued, WaitQueue } from '../wait-queue.js';
import { type ConcurrencyLimiter, FixedLimiter } from './limiter.js';

/**
 * Two-level admission control for event-loop handlers: a service-wide limit
 * and one limit per method, each with a bounded wait queue.
 *
 * Why not p-queue: two nested p-queue `add()`s measured ~1.7 µs per request
 * (an options copy, a Promise, a Symbol, a Map entry and events per task),
 * against ~2.5 µs of CPU for this server's whole dispatch of an async echo
 * call (decode, validate, handler, encode, reply). p-queue also
 * races a running task against its signal, so a slot is released as soon as
 * the signal aborts even if the handler keeps running; here a slot is held
 * until the handler really returns, so `concurrency` bounds real work. And a
 * cancelled waiter must leave the queue at once (O(1) here, a scan in
 * p-queue's priority queue). What remains is small: two counters on the fast
 * path, no allocation, and intrusive linked lists as FIFO queues.
 *
 * A request must hold a slot at both levels to run. It takes them together or
 * waits in its method's queue; a request that would wait when its method's
 * queue or the service's total of waiters is full is refused at once
 * (load shedding: OVERLOADED, never unbounded buffering).
 *
 * Each lane also has a limiter (limiter.ts) bounding what it admits,
 * running plus queued: fixed (the two caps above) or adaptive (from
 * measured latency). And it keeps one queue per criticality: the most
 * critical waiters start first, and when the lane is full a call evicts a
 * queued one of lower criticality (shed in its place) before it is itself
 * refused, so an overloaded server sheds the lowest first.
 */

/** Something that waits for a slot; `start` is called once it holds one. */
export interface Waiter extends Queued {
  /** Its queue: CRITICAL, DEFAULT or SHEDDABLE. */
  readonly criticality: CriticalityRank;
  /** The body bytes it holds against the byte budget. */
  readonly bytes: number;
  start(): void;
  /** Evicted from its queue for a more critical call: it must settle as shed. */
  shed(): void;
}

export interface LaneLimits {
  /** Most holders at once; a positive integer. */
  readonly concurrency: number;
  /** Most waiters; 0 sheds whenever no slot is free. */
  readonly maxQueue: number;
}

/** One method's share of a bulkhead. */
export class Lane {
  readonly name: string;
  readonly limit: number;
  readonly maxQueue: number;
  /** Slots held: handlers running now. */
  active = 0;
  /** Waiters across the lane's queues. */
  queued = 0;
  /** One queue per criticality, most critical first; each in arrival order, with service-wide arrival numbers. */
  readonly queues: readonly [WaitQueue<Waiter>, WaitQueue<Waiter>, WaitQueue<Waiter>] = [
    new WaitQueue<Waiter>(),
    new WaitQueue<Waiter>(),
    new WaitQueue<Waiter>(),
  ];
  /** What bounds the calls admitted (running plus queued). */
  readonly limiter: ConcurrencyLimiter;

  constructor(name: string, limits: LaneLimits, limiter?: ConcurrencyLimiter) {
    this.name = name;
    this.limit = limits.concurrency;
    this.maxQueue = limits.maxQueue;
    this.limiter = limiter ?? new FixedLimiter(limits.concurrency + limits.maxQueue);
  }

  /** The waiter that starts next: the first of the most critical non-empty queue. */
  next(): Waiter | undefined {
    for (const q of this.queues) if (q.size > 0) return q.peek();
    return undefined;
  }

  /** The waiter a call of rank `rank` may evict: the oldest of the least critical queue below it. */
  victim(rank: CriticalityRank): Waiter | undefined {
    for (let r = SHEDDABLE; r > rank; r--) if (this.queues[r]!.size > 0) return this.queues[r]!.peek();
    return undefined;
  }
}

export type Admission = 'run' | 'queued' | 'overloaded';

export class Bulkhead {
  readonly limit: number;
  readonly maxQueue: number;
  /** Most request body bytes held by calls queued or running (the byte budget). */
  readonly maxBytes: number;
  #bytes = 0;
  readonly #lanes: Lane[] = [];
  #active = 0;
  #queued = 0;
  #arrivals = 0;
  #pumping = false;

  constructor(limits: LaneLimits, maxBytes = Number.POSITIVE_INFINITY) {
    this.limit = limits.concurrency;
    this.maxQueue = limits.maxQueue;
    this.maxBytes = maxBytes;
  }

  /** Request body bytes held by calls queued or running. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Slots held across all lanes. */
  get active(): number {
    return this.#active;
  }

  /** Waiters across all lanes. */
  get queued(): number {
    return this.#queued;
  }

  get lanes(): readonly Lane[] {
    return this.#lanes;
  }

  lane(name: string, limits: LaneLimits, limiter?: ConcurrencyLimiter): Lane {
    const lane = new Lane(name, limits, limiter);
    this.#lanes.push(lane);
    return lane;
  }

  /**
   * Takes a slot in `lane` and the service ('run': the caller starts the work
   * itself, `waiter.start` is not called), queues the waiter ('queued':
   * `start` is called when it gets its slots), or refuses ('overloaded').
   */
  enter(lane: Lane, waiter: Waiter, bytes = 0): Admission {
    // Call counts alone let 5,000 calls of 16 MiB in: bytes bound the memory.
    if (this.#bytes + bytes > this.maxBytes) return 'overloaded';
    // No one waits in this lane, and with a free service slot no waiter of
    // another lane can be held up by the service level, so nobody is overtaken.
    const admitLimit = lane.limiter.limit;
    if (
      lane.queued === 0 &&
      lane.active < lane.limit &&
      this.#active < this.limit &&
      lane.active < admitLimit
    ) {
      lane.active++;
      this.#active++;
      this.#bytes += bytes;
      return 'run';
    }
    let evicted: Waiter | undefined;
    if (
      lane.queued >= lane.maxQueue ||
      this.#queued >= this.maxQueue ||
      lane.active + lane.queued >= admitLimit
    ) {
      // Full: make room by shedding a less critical waiter, or be shed.
      evicted = waiter.criticality === SHEDDABLE ? undefined : lane.victim(waiter.criticality);
      if (evicted === undefined || !this.remove(lane, evicted)) return 'overloaded';
    }
    lane.queues[waiter.criticality].push(waiter, this.#arrivals++);
    lane.queued++;
    this.#queued++;
    this.#bytes += bytes;
    // Last, with the books balanced: the evicted call settles (and replies) from here.
    evicted?.shed();
    return 'queued';
  }

  /** Gives back the slots of a holder of `lane`, and starts waiters that can now run. */
  leave(lane: Lane, bytes = 0): void {
    lane.active--;
    this.#active--;
    this.#bytes -= bytes;
    this.#pump();
  }

  /** Takes a waiter out of its queue; false if it was not waiting (already started or removed). */
  remove(lane: Lane, waiter: Waiter): boolean {
    if (!lane.queues[waiter.criticality].remove(waiter)) return false;
    lane.queued--;
    this.#queued--;
    this.#bytes -= waiter.bytes;
    return true;
  }

  #pump(): void {
    // A started waiter may finish synchronously and call leave() from inside
    // start(); the outer loop picks its freed slot up, so the stack stays flat.
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (this.#queued > 0 && this.#active < this.limit) {
        const lane = this.#nextLane();
        if (lane === undefined) return;
        const waiter = lane.next()!;
        lane.queues[waiter.criticality].remove(waiter);
        lane.queued--;
        this.#queued--;
        lane.active++;
        this.#active++;
        waiter.start();
      }
    } finally {
      this.#pumping = false;
    }
  }

  /**
   * Among lanes with a free slot and a waiter, the one whose next waiter is
   * the most critical, and of those the one that arrived first.
   */
  #nextLane(): Lane | undefined {
    let best: Lane | undefined;
    let bestRank: number = SHEDDABLE + 1;
    let bestArrival = Number.POSITIVE_INFINITY;
    for (const lane of this.#lanes) {
      if (lane.queued === 0 || lane.active >= lane.limit) continue;
      const next = lane.next()!;
      if (next.criticality < bestRank || (next.criticality === bestRank && next.queueArrival < bestArrival)) {
        best = lane;
        bestRank = next.criticality;
        bestArrival = next.queueArrival;
      }
    }
    return best;
  }
}
