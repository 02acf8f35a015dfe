import { LabelGuard } from './label-guard.js';

/**
 * Per-series state keyed by two label values (e.g. service and method),
 * updated on the hot path without touching prom-client: a hit is two Map
 * lookups on strings that are usually interned (names from the definition).
 * A miss goes through each label's guard, so the table never holds more than
 * `max` distinct values per label, plus `unknown`.
 */
export class SeriesTable<T> {
  readonly #rows = new Map<string, Map<string, T>>();
  readonly #first: LabelGuard;
  readonly #second: LabelGuard;
  readonly #create: () => T;
  // The last series asked for: a process usually serves one or two methods,
  // so most lookups repeat the previous one and skip both Maps.
  #lastFirst: string | undefined;
  #lastSecond: string | undefined;
  #last: T | undefined;

  constructor(create: () => T, maxLabelValues?: number) {
    this.#create = create;
    this.#first = new LabelGuard(maxLabelValues);
    this.#second = new LabelGuard(maxLabelValues);
  }

  /** The series for these label values, created on first use. */
  get(first: string, second: string): T {
    if (first === this.#lastFirst && second === this.#lastSecond) return this.#last!;
    const hit = this.#rows.get(first)?.get(second);
    const series = hit !== undefined ? hit : this.#miss(first, second);
    this.#lastFirst = first;
    this.#lastSecond = second;
    this.#last = series;
    return series;
  }

  #miss(first: unknown, second: unknown): T {
    const a = this.#first.admit(first);
    const b = this.#second.admit(second);
    let row = this.#rows.get(a);
    if (row === undefined) {
      row = new Map();
      this.#rows.set(a, row);
    }
    let series = row.get(b);
    if (series === undefined) {
      series = this.#create();
      row.set(b, series);
    }
    return series;
  }

  /** Every series with its label values, in creation order. */
  *[Symbol.iterator](): IterableIterator<[first: string, second: string, series: T]> {
    for (const [a, row] of this.#rows) {
      for (const [b, series] of row) yield [a, b, series];
    }
  }
}

/** Counts per value of one label (e.g. status), bounded by a guard that may be shared. */
export class Tally {
  /** A mutable cell per value, so a hit is one Map lookup and an addition. */
  readonly #counts = new Map<string, { count: number }>();
  readonly #guard: LabelGuard;

  constructor(guard: LabelGuard) {
    this.#guard = guard;
  }

  add(value: string, n = 1): void {
    const cell = this.#counts.get(value);
    if (cell !== undefined) {
      cell.count += n;
      return;
    }
    const admitted = this.#guard.admit(value);
    const existing = this.#counts.get(admitted);
    if (existing !== undefined) existing.count += n;
    else this.#counts.set(admitted, { count: n });
  }

  *[Symbol.iterator](): IterableIterator<[value: string, count: number]> {
    for (const [value, cell] of this.#counts) yield [value, cell.count];
  }
}
