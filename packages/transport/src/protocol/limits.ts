import type { Metadata } from './envelope.js';

/**
 * The field limits of docs/protocol.md, section 10. The decoder enforces them
 * on what arrives; senders keep what they send within them, because a peer
 * drops a packet that breaks one and its request then waits for its deadline.
 * String lengths count UTF-16 code units, as `String.length` does.
 */

/** Longest `message`, `content_type`, DISCONNECT `reason`, and metadata key or value. */
export const MAX_STRING_LENGTH = 1024;
/** Most entries in one metadata map. */
export const MAX_META_ENTRIES = 64;
/** Longest `method` string (`service.method`). */
export const MAX_METHOD_LENGTH = 256;
/** The largest deadline the wire (and setTimeout) can carry: 2^31 - 1 ms, about 24.8 days. */
export const MAX_DEADLINE_MS = 0x7fff_ffff;
/** Statuses are integers 0..999. */
export const MAX_STATUS = 999;

/** Marks a string cut to fit a limit. */
const ELLIPSIS = '…';

/**
 * Total size of a packet's body frames, in bytes. An indexed loop: with
 * for...of, this shared helper (called with frozen and plain arrays) cost
 * about 1,000 instructions more per request (`npm run bench:instructions`).
 */
export function bodyBytes(frames: readonly Buffer[]): number {
  let n = 0;
  for (let i = 0; i < frames.length; i++) n += frames[i]!.length;
  return n;
}

/** True for an integer in 0..max (MessagePack's unsigned integers, as JavaScript numbers). */
export function isUint(v: unknown, max: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;
}

/** True for nil or a string within MAX_STRING_LENGTH. */
export function isOptionalString(v: unknown): v is string | null | undefined {
  return v == null || (typeof v === 'string' && v.length <= MAX_STRING_LENGTH);
}

/** True for nil or a metadata map within the limits (entries, key and value lengths). */
export function isMetadata(v: unknown): v is Metadata | null | undefined {
  if (v == null) return true;
  // A plain map only: a Date (the timestamp extension) or a bin is not metadata.
  if (typeof v !== 'object' || Object.getPrototypeOf(v) !== Object.prototype) return false;
  let n = 0;
  for (const key in v) {
    // A `__proto__` key (an own property from the decoder) is refused, not renamed.
    if (++n > MAX_META_ENTRIES || key === '__proto__') return false;
    const value = (v as Record<string, unknown>)[key];
    if (typeof value !== 'string' || value.length > MAX_STRING_LENGTH || key.length > MAX_STRING_LENGTH) {
      return false;
    }
  }
  return true;
}

/**
 * `text` cut to at most `max` code units, ending in "…" when cut. Never splits
 * a surrogate pair, so the result is still well-formed UTF-16.
 *
 * @example
 * truncateText('x'.repeat(2000)).length; // 1024, the last character '…'
 */
export function truncateText(text: string, max = MAX_STRING_LENGTH): string {
  if (text.length <= max) return text;
  let end = max - ELLIPSIS.length;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return text.slice(0, end) + ELLIPSIS;
}
