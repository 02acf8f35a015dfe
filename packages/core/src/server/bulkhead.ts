import { type Queued, WaitQueue } from './wait-queue.js';

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
 */

/** Something that waits for a slot; `start` is called once it holds one. */
export interface Waiter extends Queued {
  start(): void;
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
  /** Waiters in arrival order, each with its service-wide arrival number. */
  readonly waiting = new WaitQueue<Waiter>();

  constructor(name: string, limits: LaneLimits) {
    this.name = name;
    this.limit = limits.concurrency;
    this.maxQueue = limits.maxQueue;
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

  lane(name: string, limits: LaneLimits): Lane {
    const lane = new Lane(name, limits);
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
    if (lane.waiting.size === 0 && lane.active < lane.limit && this.#active < this.limit) {
      lane.active++;
      this.#active++;
      this.#bytes += bytes;
      return 'run';
    }
    if (lane.waiting.size >= lane.maxQueue || this.#queued >= this.maxQueue) return 'overloaded';
    lane.waiting.push(waiter, this.#arrivals++);
    this.#queued++;
    this.#bytes += bytes;
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
  remove(lane: Lane, waiter: Waiter, bytes = 0): boolean {
    if (!lane.waiting.remove(waiter)) return false;
    this.#queued--;
    this.#bytes -= bytes;
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
        const waiter = lane.waiting.shift()!;
        this.#queued--;
        lane.active++;
        this.#active++;
        waiter.start();
      }
    } finally {
      this.#pumping = false;
    }
  }

  /** Among lanes with a free slot and a waiter, the one whose first waiter arrived first. */
  #nextLane(): Lane | undefined {
    let best: Lane | undefined;
    let bestArrival = Number.POSITIVE_INFINITY;
    for (const lane of this.#lanes) {
      if (lane.waiting.size === 0 || lane.active >= lane.limit) continue;
      const arrival = lane.waiting.peek()!.queueArrival;
      if (arrival < bestArrival) {
        best = lane;
        bestArrival = arrival;
      }
    }
    return best;
  }
}
