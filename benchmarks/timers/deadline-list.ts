/** The client's deadline scheme before #11 (packages/transport/src/deadline-list.ts), kept as bench:timers' baseline. */
/** What a DeadlineList needs on each entry; the list links entries through these fields. */
export interface DeadlineEntry {
  /** performance.now() at which the entry expires. */
  expiresAt: number;
  prev: DeadlineEntry | undefined;
  next: DeadlineEntry | undefined;
  list: DurationList | undefined;
}

/** Entries added with one duration, in expiry order, and the timer for the first of them. */
interface DurationList {
  readonly durationMs: number;
  head: DeadlineEntry | undefined;
  tail: DeadlineEntry | undefined;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Deadlines for many pending requests without a Timeout object and a closure
 * per request, which cost the client 5-15% of its CPU per request under load
 * (benchmarks/RESULTS.md). Entries added with the same duration expire in the
 * order they were added, so each distinct duration keeps a doubly linked list
 * (O(1) add and remove) and one timer for its head, as Node's own timer lists
 * do. The entries are the caller's own objects: nothing is allocated per add.
 */
export class DeadlineList<TEntry extends DeadlineEntry> {
  readonly #lists = new Map<number, DurationList>();
  readonly #onExpire: (entry: TEntry) => void;

  constructor(onExpire: (entry: TEntry) => void) {
    this.#onExpire = onExpire;
  }

  /** Schedules `entry` to expire `durationMs` (an integer) after `now`. */
  add(entry: TEntry, durationMs: number, now: number): void {
    let list = this.#lists.get(durationMs);
    if (list === undefined) {
      list = { durationMs, head: undefined, tail: undefined, timer: undefined };
      this.#lists.set(durationMs, list);
    }
    const wasEmpty = list.tail === undefined;
    entry.expiresAt = now + durationMs;
    entry.list = list;
    entry.next = undefined;
    entry.prev = list.tail;
    if (list.tail === undefined) list.head = entry;
    else list.tail.next = entry;
    list.tail = entry;
    // Like a per-request setTimeout, a pending deadline keeps the process alive.
    if (list.timer === undefined) list.timer = setTimeout(this.#fire, durationMs, list);
    else if (wasEmpty) list.timer.ref();
  }

  /** Cancels `entry`'s deadline; a no-op if it has none. */
  remove(entry: TEntry): void {
    const list = entry.list;
    if (list === undefined) return;
    if (entry.prev === undefined) list.head = entry.next;
    else entry.prev.next = entry.next;
    if (entry.next === undefined) list.tail = entry.prev;
    else entry.next.prev = entry.prev;
    entry.prev = entry.next = entry.list = undefined;
    // Nothing left to time: the timer no longer holds the process open (a
    // closed client lets it exit), but stays armed for the next entry, as
    // one request at a time would otherwise clear and set a timer per call.
    // It fires at most once more, early, and the idle list goes then.
    if (list.head === undefined) list.timer?.unref();
  }

  readonly #fire = (list: DurationList): void => {
    list.timer = undefined;
    const now = performance.now();
    // Node's timers run on the loop's cached millisecond clock, which can lag
    // performance.now() by up to a millisecond either way.
    for (let head = list.head; head !== undefined && head.expiresAt <= now + 1; head = list.head) {
      this.remove(head as TEntry);
      this.#onExpire(head as TEntry);
    }
    // onExpire may have added to this list, arming its timer already.
    if (list.head !== undefined) {
      list.timer ??= setTimeout(this.#fire, Math.max(1, list.head.expiresAt - now), list);
    } else if (list.timer === undefined && this.#lists.get(list.durationMs) === list) {
      this.#lists.delete(list.durationMs);
    }
  };
}
