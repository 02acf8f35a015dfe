import { Command } from './constants.js';
import type { Metadata, Packet } from './envelope.js';
import { bodyBytes, type DecodeLimits, MAX_DEADLINE_MS, MAX_META_ENTRIES, MAX_STATUS } from './limits.js';

/**
 * A reader for the REQUEST and REPLY envelopes that make up nearly all
 * traffic, in the shape the encoders write them: every field present, small
 * unsigned integers, ASCII strings, nil, no details, metadata as a small map
 * of ASCII strings. It reads the bytes straight into the packet, without the
 * intermediate array and the generic field checks of the msgpackr path, and
 * checks the same limits as it goes (docs/protocol.md, section 10).
 *
 * Anything else (another command or field count, a value of another type or
 * beyond a limit, non-ASCII text, truncated data) returns NOT_FAST, and the
 * caller decodes that envelope with msgpackr, which also reports every error:
 * the two agree on whatever both accept.
 */

/** readFastPacket's answer when the envelope is not one it reads. */
export const NOT_FAST = -1;

// The reader keeps the buffer and offset in locals and leans on small helpers
// that V8 inlines: this runs for every request and reply. What a helper
// returns besides its value (the offset after it) is left in `#readEnd`, a
// number field of the reader: it holds no object, so no write barrier.

/** The packet's body frames (in bounds), or undefined if they are too large. */
function takeBody(
  frames: readonly Buffer[],
  bodyAt: number,
  count: number,
  maxBodyBytes: number,
): Buffer[] | undefined {
  if (count === 0) return [];
  if (count === 1) {
    const only = frames[bodyAt]!;
    return only.length > maxBodyBytes ? undefined : [only];
  }
  const body = frames.slice(bodyAt, bodyAt + count);
  return bodyBytes(body) > maxBodyBytes ? undefined : body;
}

/** Bytes of an unsigned integer of up to 32 bits, from its first byte; 0 for any other value. */
function uintLength(tag: number): number {
  return tag < 0x80 ? 1 : tag === 0xcc ? 2 : tag === 0xcd ? 3 : tag === 0xce ? 5 : 0;
}

/** The unsigned integer of `length` bytes (uintLength, in bounds) at `p`. */
function uintAt(buf: Buffer, p: number, length: number): number {
  if (length === 1) return buf[p]!;
  if (length === 2) return buf[p + 1]!;
  if (length === 3) return (buf[p + 1]! << 8) | buf[p + 2]!;
  return buf[p + 1]! * 0x100_0000 + ((buf[p + 2]! << 16) | (buf[p + 3]! << 8) | buf[p + 4]!);
}

/** Marks a field readOptionalString or readMeta could not read (never a field's value). */
const NOT_READ = null;

/**
 * Short strings repeat on the wire (method names, content types, metadata
 * keys), and comparing a few bytes with a cached string is cheaper than
 * making a new one. A direct-mapped cache: a slot holds the last string
 * that hashed to it. Only ASCII strings are cached, so a match is ASCII.
 */
const MAX_CACHED_LENGTH = 32;
const CACHE_SLOTS = 256;

function cacheSlot(buf: Buffer, from: number, length: number): number {
  return (
    (length * 31 + buf[from]! * 7 + buf[from + length - 1]! + buf[from + (length >> 1)]! * 3) &
    (CACHE_SLOTS - 1)
  );
}

/**
 * The fast reader, one per socket (through FastCodec): its string cache and
 * read offset are its own, so two sockets never share decoding state.
 */
export class FastReader {
  /** The offset after what the last readString, readOptionalString or readMeta read. */
  #readEnd = 0;
  readonly #cache: (string | undefined)[] = new Array<string | undefined>(CACHE_SLOTS).fill(undefined);
  /** The bytes of each cached string (empty for an empty slot: the empty string is never cached). */
  readonly #cachedBytes: Uint8Array[] = Array.from({ length: CACHE_SLOTS }, () => new Uint8Array(0));

  /**
   * Reads the envelope at `at` in `buf`, whose body frames start at
   * `frames[bodyAt]`. On success, appends the packet to `packets` and returns
   * the offset after the envelope.
   *
   * REQUEST: `[1, body_frames, id, method, deadline_ms, meta, content_type]`;
   * REPLY: `[2, body_frames, id, status, message, details (nil), meta, content_type]`.
   */
  read(
    buf: Buffer,
    at: number,
    frames: readonly Buffer[],
    bodyAt: number,
    limits: DecodeLimits,
    packets: Packet[],
  ): number {
    if (at + 3 > buf.length) return NOT_FAST;
    const header = buf[at];
    const cmd = buf[at + 1];
    const isRequest = header === 0x97 && cmd === Command.REQUEST;
    if (!isRequest && !(header === 0x98 && cmd === Command.REPLY)) return NOT_FAST;
    const bodyFrames = buf[at + 2]!;
    // The body frame count is a positive fixint in every envelope we write.
    if (bodyFrames >= 0x80 || bodyAt + bodyFrames > frames.length) return NOT_FAST;
    const id = this.readUint(buf, at + 3);
    if (id < 0 || (isRequest && id === 0)) return NOT_FAST;
    let method = '';
    let deadlineMs = 0;
    let status = 0;
    let message: string | undefined;
    if (isRequest) {
      method = this.readString(buf, this.#readEnd) ?? '';
      if (method === '') return NOT_FAST;
      deadlineMs = this.readUint(buf, this.#readEnd);
      if (deadlineMs < 0 || deadlineMs > MAX_DEADLINE_MS) return NOT_FAST;
    } else {
      status = this.readUint(buf, this.#readEnd);
      if (status < 0 || status > MAX_STATUS) return NOT_FAST;
      const text = this.readOptionalString(buf, this.#readEnd);
      if (text === NOT_READ) return NOT_FAST;
      message = text;
      // details: nil only; a reply with details goes through msgpackr.
      if (this.#readEnd >= buf.length || buf[this.#readEnd] !== 0xc0) return NOT_FAST;
      this.#readEnd++;
    }
    const meta = this.readMeta(buf, this.#readEnd);
    if (meta === NOT_READ) return NOT_FAST;
    const contentType = this.readOptionalString(buf, this.#readEnd);
    if (contentType === NOT_READ) return NOT_FAST;
    const end = this.#readEnd;
    // Over a limit set lower than any common envelope: msgpackr's path reports it.
    if (end - at > limits.maxEnvelopeBytes) return NOT_FAST;
    const body = takeBody(frames, bodyAt, bodyFrames, limits.maxBodyBytes);
    if (body === undefined) return NOT_FAST;
    packets.push(
      isRequest
        ? { cmd: Command.REQUEST, id, method, deadlineMs, meta, contentType, body }
        : { cmd: Command.REPLY, id, status, message, details: undefined, meta, contentType, body },
    );
    return end;
  }

  /** Reads an unsigned integer of up to 32 bits at `p`, or returns -1. */
  readUint(buf: Buffer, p: number): number {
    if (p >= buf.length) return -1;
    const length = uintLength(buf[p]!);
    if (length === 0 || p + length > buf.length) return -1;
    this.#readEnd = p + length;
    return uintAt(buf, p, length);
  }

  /** Reads nil (undefined) or an ASCII string at `p` (in bounds or not), or NOT_READ. */
  readOptionalString(buf: Buffer, p: number): string | undefined | typeof NOT_READ {
    if (p < buf.length && buf[p] === 0xc0) {
      this.#readEnd = p + 1;
      return undefined;
    }
    return this.readString(buf, p) ?? NOT_READ;
  }

  /** Reads a fixstr or str8 of ASCII at `p`, or returns undefined. */
  readString(buf: Buffer, p: number): string | undefined {
    if (p >= buf.length) return undefined;
    const tag = buf[p]!;
    let length: number;
    if ((tag & 0xe0) === 0xa0) {
      length = tag & 0x1f;
      p++;
    } else if (tag === 0xd9 && p + 2 <= buf.length) {
      length = buf[p + 1]!;
      p += 2;
    } else {
      return undefined;
    }
    if (p + length > buf.length) return undefined;
    const s = this.asciiAt(buf, p, length);
    this.#readEnd = p + length;
    return s;
  }

  /**
   * Reads nil (undefined) or a map of ASCII strings (fixmap or map16, as
   * msgpackr writes) at `p`, or returns NOT_READ.
   */
  readMeta(buf: Buffer, p: number): Metadata | undefined | typeof NOT_READ {
    if (p >= buf.length) return NOT_READ;
    const tag = buf[p]!;
    if (tag === 0xc0) {
      this.#readEnd = p + 1;
      return undefined;
    }
    let entries: number;
    if ((tag & 0xf0) === 0x80) {
      entries = tag & 0x0f;
      p++;
    } else if (tag === 0xde && p + 3 <= buf.length) {
      entries = (buf[p + 1]! << 8) | buf[p + 2]!;
      p += 3;
    } else {
      return NOT_READ;
    }
    if (entries > MAX_META_ENTRIES) return NOT_READ;
    const meta: Metadata = {};
    for (let i = 0; i < entries; i++) {
      const key = this.readString(buf, p);
      // msgpackr renames a `__proto__` key rather than set the prototype; leave it to msgpackr.
      if (key === undefined || key === '__proto__') return NOT_READ;
      const value = this.readString(buf, this.#readEnd);
      if (value === undefined) return NOT_READ;
      meta[key] = value;
      p = this.#readEnd;
    }
    this.#readEnd = p;
    return meta;
  }

  /** The ASCII string of `length` bytes at `from` (in bounds), or undefined if a byte is not ASCII. */
  asciiAt(buf: Buffer, from: number, length: number): string | undefined {
    if (length === 0) return '';
    const cacheable = length <= MAX_CACHED_LENGTH;
    const slot = cacheable ? cacheSlot(buf, from, length) : 0;
    if (cacheable) {
      // Compared byte for byte with the cached string's bytes: typed array
      // reads are cheaper than charCodeAt on a string.
      const bytes = this.#cachedBytes[slot]!;
      if (bytes.length === length) {
        let c = 0;
        while (c < length && bytes[c] === buf[from + c]) c++;
        if (c === length) return this.#cache[slot];
      }
    }
    const to = from + length;
    for (let c = from; c < to; c++) if (buf[c]! > 0x7f) return undefined;
    const s = buf.toString('latin1', from, to);
    if (cacheable) {
      this.#cache[slot] = s;
      this.#cachedBytes[slot] = Uint8Array.prototype.slice.call(buf, from, to);
    }
    return s;
  }
}
