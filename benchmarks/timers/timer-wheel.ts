/**
 * The candidate npm run bench:timers measured against the heap: a hashed timer wheel
 * (1 ms slots, one doubly linked list per slot, entries beyond one turn wait for their
 * round), ticking every millisecond while it holds anything, as Netty's HashedWheelTimer
 * does. Kept here, beside the benchmark, as the record of what lost.
 */
export interface WheelEntry {
  expiresAt: number;
  prev: WheelEntry | undefined;
  next: WheelEntry | undefined;
  slot: number;
}

const SLOTS = 1024;

export class TimerWheel<T extends WheelEntry> {
  readonly #heads: (WheelEntry | undefined)[] = new Array(SLOTS).fill(undefined);
  readonly #onExpire: (entry: T) => void;
  #size = 0;
  #cursor = Math.floor(performance.now());
  #timer: NodeJS.Timeout | undefined;

  constructor(onExpire: (entry: T) => void) {
    this.#onExpire = onExpire;
  }

  add(entry: T, expiresAt: number): void {
    entry.expiresAt = expiresAt;
    const slot = Math.max(Math.ceil(expiresAt), this.#cursor) & (SLOTS - 1);
    entry.slot = slot;
    entry.prev = undefined;
    const head = this.#heads[slot];
    entry.next = head;
    if (head !== undefined) head.prev = entry;
    this.#heads[slot] = entry;
    if (this.#size++ === 0) {
      this.#cursor = Math.floor(performance.now());
      this.#timer ??= setTimeout(this.#tick, 1);
    }
  }

  remove(entry: T): void {
    if (entry.slot < 0) return;
    if (entry.prev === undefined) this.#heads[entry.slot] = entry.next;
    else entry.prev.next = entry.next;
    if (entry.next !== undefined) entry.next.prev = entry.prev;
    entry.prev = entry.next = undefined;
    entry.slot = -1;
    this.#size--;
  }

  clear(): void {
    this.#heads.fill(undefined);
    this.#size = 0;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  readonly #tick = (): void => {
    this.#timer = undefined;
    const now = performance.now();
    const until = Math.floor(now) + 1;
    // At most one turn per tick: entries further out wait for their round.
    const last = Math.min(until, this.#cursor + SLOTS - 1);
    for (; this.#cursor <= last; this.#cursor++) {
      let e = this.#heads[this.#cursor & (SLOTS - 1)];
      while (e !== undefined) {
        const next = e.next;
        if (e.expiresAt <= now + 1) {
          this.remove(e as T);
          this.#onExpire(e as T);
        }
        e = next;
      }
    }
    this.#cursor = until;
    if (this.#size > 0) this.#timer = setTimeout(this.#tick, 1);
  };
}
