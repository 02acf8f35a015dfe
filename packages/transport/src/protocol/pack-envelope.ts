import { msgpack } from './msgpack.js';

/**
 * MessagePack encoding of envelopes, byte for byte as `msgpack.pack` would
 * write them, with a fast path for what nearly every envelope holds: small
 * unsigned integers, nil, short ASCII strings and small maps of those.
 *
 * The fast path writes straight into the envelopes frame of the message being
 * built (EnvelopeFrame), so a request or reply costs no Buffer of its own and
 * no copy when its batch is sent: the per-packet Buffer, the join and the
 * type dispatch over an array of unknown values were together the largest
 * item in the CPU profile of a loaded echo. Anything else goes to msgpackr.
 */

/** The longest string the fast path writes: a fixstr holds at most 31 bytes. */
export const MAX_FAST_STRING = 31;
/** The most entries of a map the fast path writes. */
export const MAX_FAST_MAP_ENTRIES = 15;

/**
 * Envelopes frames are carved from 64 KiB slabs, as Buffer.allocUnsafe carves
 * small buffers from Node's 8 KiB pool, but with a new ArrayBuffer every few
 * dozen messages of a loaded echo instead of every few. Creating an
 * ArrayBuffer is where V8 accounts for external memory and starts the
 * collections that calls for (4% of the CPU of a loaded echo with Node's
 * pool). A slab is never written twice: a frame stays valid (libzmq may still
 * be sending it) until it is garbage collected, and the slab with its last frame.
 */
const SLAB_BYTES = 64 * 1024;

/** The slabs of one socket (FastCodec owns one): no state shared between sockets. */
export class Slab {
  #slab: Buffer | undefined;
  #used = 0;

  alloc(size: number): Buffer {
    if (size > SLAB_BYTES / 8) return Buffer.allocUnsafeSlow(size);
    if (this.#slab === undefined || this.#used + size > SLAB_BYTES) {
      this.#slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
      this.#used = 0;
    }
    const out = this.#slab.subarray(this.#used, this.#used + size);
    this.#used += size;
    return out;
  }
}

/** Room for a typical batch's envelopes (128 packets of 10-30 bytes). */
const INITIAL_FRAME_BYTES = 4096;

/**
 * The envelopes frame of one message under construction: envelopes are
 * appended back to back, and `bytes()` is the frame. Its memory is never
 * reused, because libzmq may still hold the frame after the send returns.
 */
export class EnvelopeFrame {
  #buf: Buffer;
  readonly #slab: Slab | undefined;
  /** Bytes written so far. */
  length = 0;

  /** Without a slab (one-off encodes for tools and tests), from Node's own pool. */
  constructor(capacity = INITIAL_FRAME_BYTES, slab?: Slab) {
    this.#slab = slab;
    this.#buf = slab === undefined ? Buffer.allocUnsafe(capacity) : slab.alloc(capacity);
  }

  /** The buffer to write `n` more bytes into, starting at `length`. */
  room(n: number): Buffer {
    if (this.length + n > this.#buf.length) {
      const size = Math.max(this.length + n, this.#buf.length * 2);
      const bigger = this.#slab === undefined ? Buffer.allocUnsafe(size) : this.#slab.alloc(size);
      this.#buf.copy(bigger, 0, 0, this.length);
      this.#buf = bigger;
    }
    return this.#buf;
  }

  /** Appends bytes encoded elsewhere (by msgpackr, or a part of another frame). */
  append(bytes: Uint8Array): void {
    this.room(bytes.length).set(bytes, this.length);
    this.length += bytes.length;
  }

  /** The frame as written so far: a view, not a copy. */
  bytes(): Buffer {
    return this.#buf.subarray(0, this.length);
  }
}

/** Appends one envelope (a short array), through the fast path when it can. */
export function appendEnvelope(out: EnvelopeFrame, values: readonly unknown[]): void {
  const start = out.length;
  if (values.length <= 15) {
    const buf = out.room(1 + values.length * (1 + MAX_FAST_STRING));
    buf[start] = 0x90 | values.length;
    let at = start + 1;
    for (let i = 0; i < values.length && at !== NOT_WRITTEN; i++) at = putFastValue(buf, at, values[i]);
    if (at !== NOT_WRITTEN) {
      out.length = at;
      return;
    }
  }
  out.append(msgpack.pack(values));
}

/**
 * Writes nil for undefined or null, or a map of at most 15 short ASCII
 * strings; returns false, with `out.length` unchanged, for anything else.
 * The header is a map16, as msgpackr writes every object's.
 */
export function writeFastStringMap(
  out: EnvelopeFrame,
  map: Readonly<Record<string, string>> | undefined,
): boolean {
  const start = out.length;
  if (map == null) {
    out.room(1)[start] = 0xc0;
    out.length = start + 1;
    return true;
  }
  const buf = out.room(3 + MAX_FAST_MAP_ENTRIES * 2 * (1 + MAX_FAST_STRING));
  let at = start + 3;
  let n = 0;
  for (const key in map) {
    // Own properties only, as msgpackr writes them; anything odd takes the slow path.
    if (++n > MAX_FAST_MAP_ENTRIES || !Object.hasOwn(map, key)) return false;
    const value = map[key];
    if (typeof value !== 'string') return false;
    at = putShortAscii(buf, at, key);
    if (at === NOT_WRITTEN) return false;
    at = putShortAscii(buf, at, value);
    if (at === NOT_WRITTEN) return false;
  }
  buf[start] = 0xde;
  buf[start + 1] = 0;
  buf[start + 2] = n;
  out.length = at;
  return true;
}

// The put* functions write one value into `buf` (which has room for it) at
// `at` and return the offset after it, or NOT_WRITTEN when the value is not
// of their kind. They are small and pure so that V8 inlines them.

/** put*'s answer for a value it does not write. */
export const NOT_WRITTEN = -1;

/** Writes an unsigned integer below 2^32 in its shortest form (5 bytes at most). */
export function putUint(buf: Buffer, at: number, v: number): number {
  if (v < 0x80) {
    buf[at] = v;
    return at + 1;
  }
  if (v < 0x100) {
    buf[at] = 0xcc;
    buf[at + 1] = v;
    return at + 2;
  }
  if (v < 0x1_0000) {
    buf[at] = 0xcd;
    buf[at + 1] = v >>> 8;
    buf[at + 2] = v & 0xff;
    return at + 3;
  }
  buf[at] = 0xce;
  buf[at + 1] = v >>> 24;
  buf[at + 2] = (v >>> 16) & 0xff;
  buf[at + 3] = (v >>> 8) & 0xff;
  buf[at + 4] = v & 0xff;
  return at + 5;
}

/** Writes `s` as a fixstr (32 bytes at most) if it is ASCII and at most 31 characters long. */
export function putShortAscii(buf: Buffer, at: number, s: string): number {
  const n = s.length;
  if (n > MAX_FAST_STRING) return NOT_WRITTEN;
  buf[at] = 0xa0 | n;
  for (let c = 0; c < n; c++) {
    const code = s.charCodeAt(c);
    if (code > 0x7f) return NOT_WRITTEN;
    buf[at + 1 + c] = code;
  }
  return at + 1 + n;
}

/** Writes nil for undefined or null, or `s` as putShortAscii does. */
export function putOptionalShortAscii(buf: Buffer, at: number, s: string | null | undefined): number {
  if (s == null) {
    buf[at] = 0xc0;
    return at + 1;
  }
  return putShortAscii(buf, at, s);
}

/** Writes nil, an unsigned integer below 2^32 or a short ASCII string. */
function putFastValue(buf: Buffer, at: number, v: unknown): number {
  if (v === null || v === undefined) {
    buf[at] = 0xc0;
    return at + 1;
  }
  if (typeof v === 'number') {
    return Number.isInteger(v) && v >= 0 && v <= 0xffff_ffff ? putUint(buf, at, v) : NOT_WRITTEN;
  }
  return typeof v === 'string' ? putShortAscii(buf, at, v) : NOT_WRITTEN;
}
