/** The server's deadline scheme before #11 (packages/core/src/server/deadline-watch.ts), kept as bench:timers' baseline. */
/** What the watch needs from a request. The fields are the watch's to manage. */
export interface Watched {
  /** performance.now() timestamp. */
  readonly deadline: number;
  /** Called when the deadline passes, unless unwatched first. */
  expire(): void;
  /** @internal The request's own timer, once it has one. */
  watchTimer: NodeJS.Timeout | undefined;
  /** @internal Position in the young list, and which list (generation) that was. */
  watchSlot: number;
  watchGeneration: number;
}

/**
 * Fires each request's deadline, giving a timer only to requests that live
 * long enough to need one.
 *
 * Most requests finish in well under a millisecond. Giving each a setTimeout
 * costs ~0.2 µs and a Timeout object; instead a new request goes on a "young"
 * list (an array push). One shared timer sweeps the list every `sweepMs`: a
 * request still unsettled then gets its own precise timer for the time it
 * has left. A request whose deadline is nearer than one sweep gets its timer
 * at once, so no deadline fires late. A settled request clears its slot, so
 * the list does not keep finished requests alive until the sweep.
 */
export class DeadlineWatch {
  readonly #sweepMs: number;
  #young: Array<Watched | undefined> = [];
  #generation = 0;
  #sweep: NodeJS.Timeout | undefined;

  constructor(sweepMs = 50) {
    this.#sweepMs = sweepMs;
  }

  watch(item: Watched): void {
    const left = item.deadline - performance.now();
    if (left <= this.#sweepMs) {
      arm(item, left);
      return;
    }
    item.watchGeneration = this.#generation;
    item.watchSlot = this.#young.push(item) - 1;
    if (this.#sweep === undefined) {
      this.#sweep = setTimeout(this.#onSweep, this.#sweepMs);
      // Deadlines alone never keep a process alive; the socket and the
      // handlers' own I/O do.
      this.#sweep.unref();
    }
  }

  unwatch(item: Watched): void {
    if (item.watchTimer !== undefined) {
      clearTimeout(item.watchTimer);
      item.watchTimer = undefined;
    } else if (item.watchGeneration === this.#generation && this.#young[item.watchSlot] === item) {
      this.#young[item.watchSlot] = undefined;
    }
  }

  /** Stops the sweep. Requests with their own timer keep it until unwatched. */
  close(): void {
    clearTimeout(this.#sweep);
    this.#sweep = undefined;
    this.#young = [];
    this.#generation++;
  }

  readonly #onSweep = (): void => {
    const young = this.#young;
    this.#young = [];
    this.#generation++;
    this.#sweep = undefined;
    const now = performance.now();
    for (const item of young) if (item !== undefined) arm(item, item.deadline - now);
  };
}

/** setTimeout's ceiling; longer delays would fire at once. */
const MAX_DELAY_MS = 0x7fff_ffff;

function arm(item: Watched, ms: number): void {
  item.watchTimer = setTimeout(fire, Math.min(Math.max(0, ms), MAX_DELAY_MS), item);
  item.watchTimer.unref();
}

function fire(item: Watched): void {
  item.watchTimer = undefined;
  item.expire();
}
