import { MetricsError } from './errors.js';
import { UNKNOWN_LABEL_VALUE } from './names.js';

/** The default cap on distinct values of one label of one metric. */
export const DEFAULT_MAX_LABEL_VALUES = 256;

/** Label values longer than this are replaced: no real name is this long. */
const MAX_LABEL_LENGTH = 128;

/**
 * Bounds the values one label can take. Core already maps undefined methods
 * to `unknown`; this is the second line of defence, for a publisher with a
 * bug or a payload that carries a caller-chosen string. The first `max`
 * distinct values are kept; everything after, and anything that is not a
 * reasonable string, becomes `unknown`.
 */
export class LabelGuard {
  readonly #seen = new Set<string>();
  readonly #max: number;

  constructor(max = DEFAULT_MAX_LABEL_VALUES) {
    if (!Number.isInteger(max) || max < 1)
      throw new MetricsError(
        'ERR_COURIER_METRICS_OPTIONS',
        `label cap must be a positive integer, got ${max}`,
      );
    this.#max = max;
  }

  /** The value to use for `value`: itself while there is room, else `unknown`. */
  admit(value: unknown): string {
    if (typeof value !== 'string' || value.length === 0 || value.length > MAX_LABEL_LENGTH) {
      return UNKNOWN_LABEL_VALUE;
    }
    if (this.#seen.has(value)) return value;
    // `unknown` is always allowed and does not use up a slot.
    if (value === UNKNOWN_LABEL_VALUE) return value;
    if (this.#seen.size >= this.#max) return UNKNOWN_LABEL_VALUE;
    this.#seen.add(value);
    return value;
  }

  /** Distinct values admitted so far (not counting `unknown`). */
  get size(): number {
    return this.#seen.size;
  }
}
