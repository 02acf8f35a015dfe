import { isUtf8 } from 'node:buffer';

/**
 * String decoding for the strict decoder. Three paths, cheapest first, each
 * exactly as strict as a fatal TextDecoder (invalid UTF-8 gives `undefined`,
 * which the reader turns into INVALID_UTF8; a BOM is kept, never stripped):
 * - up to 16 bytes of ASCII (nearly every key and many short values): one
 *   `String.fromCharCode` call of up to 8 arguments per 8 bytes, no native
 *   transition and no intermediate strings (`+=` per byte was 3x slower);
 * - anything else: `isUtf8` (simdutf) and Buffer's native UTF-8 slice, which
 *   trust nothing they have not checked. A fatal TextDecoder costs about the
 *   same for long strings but 2-5x more for short non-ASCII ones.
 */

const fcc = String.fromCharCode;

/** ASCII bytes `[p, p + len)` of `s` as a string, `len <= 16`; undefined if any byte is >= 0x80. */
export function shortAscii(s: Uint8Array, p: number, len: number): string | undefined {
  if (len > 8) {
    const head = ascii8(s, p, 8);
    if (head === undefined) return undefined;
    const tail = ascii8(s, p + 8, len - 8);
    return tail === undefined ? undefined : head + tail;
  }
  return ascii8(s, p, len);
}

/** `len <= 8` ASCII bytes, in one call. */
function ascii8(s: Uint8Array, p: number, len: number): string | undefined {
  switch (len) {
    case 0:
      return '';
    case 1: {
      const a = s[p]!;
      return a < 0x80 ? fcc(a) : undefined;
    }
    case 2: {
      const a = s[p]!;
      const b = s[p + 1]!;
      return (a | b) < 0x80 ? fcc(a, b) : undefined;
    }
    case 3: {
      const a = s[p]!;
      const b = s[p + 1]!;
      const c = s[p + 2]!;
      return (a | b | c) < 0x80 ? fcc(a, b, c) : undefined;
    }
  }
  const a = s[p]!;
  const b = s[p + 1]!;
  const c = s[p + 2]!;
  const d = s[p + 3]!;
  if ((a | b | c | d) >= 0x80) return undefined;
  if (len === 4) return fcc(a, b, c, d);
  const e = s[p + 4]!;
  if (len === 5) return e < 0x80 ? fcc(a, b, c, d, e) : undefined;
  const f = s[p + 5]!;
  if (len === 6) return (e | f) < 0x80 ? fcc(a, b, c, d, e, f) : undefined;
  const g = s[p + 6]!;
  if (len === 7) return (e | f | g) < 0x80 ? fcc(a, b, c, d, e, f, g) : undefined;
  const h = s[p + 7]!;
  return (e | f | g | h) < 0x80 ? fcc(a, b, c, d, e, f, g, h) : undefined;
}

/** UTF-8 bytes `[start, stop)` of `buf`, or undefined when they are not valid UTF-8. */
export function utf8(buf: Buffer, start: number, stop: number): string | undefined {
  if (!isUtf8(buf.subarray(start, stop))) return undefined;
  return buf.toString('utf8', start, stop);
}

/** Slots in one decoder's key cache: a power of two; a service's key set is far smaller. */
const KEY_SLOTS = 512;
/** Longest key cached: longer keys are rare and their comparison costs what decoding does. */
export const MAX_CACHED_KEY = 16;

/**
 * Recently decoded ASCII map keys, one cache per decoder (so per socket: no
 * state is shared between sockets, or kept at module level). A hit returns
 * the very string decoded before, which V8 has already internalised as a
 * property name, so building the object skips hashing it again. Bounded:
 * 512 slots of at most 16-character strings, direct-mapped, the newest key
 * replacing a colliding one. A hit is confirmed byte for byte, so a
 * collision costs a decode, never a wrong key.
 */
export class KeyCache {
  readonly #slots: (string | undefined)[] = new Array<string | undefined>(KEY_SLOTS).fill(undefined);

  /** The ASCII key in bytes `[p, p + len)`, `1 <= len <= 16`; undefined if it is not ASCII. */
  get(s: Uint8Array, p: number, len: number): string | undefined {
    const last = p + len - 1;
    const slot = (len * 97 + s[p]! * 31 + s[last]! * 7 + s[p + (len >> 1)]!) & (KEY_SLOTS - 1);
    const hit = this.#slots[slot];
    if (hit !== undefined && hit.length === len) {
      let i = 0;
      while (i < len && hit.charCodeAt(i) === s[p + i]) i++;
      if (i === len) return hit;
    }
    const key = shortAscii(s, p, len);
    if (key !== undefined) this.#slots[slot] = key;
    return key;
  }
}
