import { MsgpackError } from './errors.js';
import type { MsgpackLimits } from './limits.js';
import { type KeyCache, MAX_CACHED_KEY, shortAscii, utf8 } from './strings.js';

const TWO_32 = 0x1_0000_0000;
const EMPTY = new Uint8Array(0);

/**
 * One decode's cursor (see decoder.ts for what it accepts). A `MsgpackDecoder` keeps one and resets it per call
 * (no allocation per decode, and one hidden class for V8); the free functions
 * make a fresh one. It drops its input when a decode ends, so an idle decoder
 * keeps no message alive.
 */
export class Reader {
  private src: Uint8Array = EMPTY;
  /** `src` as a Buffer, for the native UTF-8 slice; made on first need. */
  private buf: Buffer | undefined;
  pos = 0;
  private end = 0;
  private items = 0;
  private readonly maxItems: number;
  private readonly maxDepth: number;
  private view: DataView | undefined;
  private ownProto = false;
  private readonly keys: KeyCache | undefined;

  constructor(limits: MsgpackLimits, keys: KeyCache | undefined) {
    this.maxItems = limits.maxItems;
    this.maxDepth = limits.maxDepth;
    this.keys = keys;
  }

  /** Decodes the one value at `start` (`pos` is then just after it), and lets go of `src`. */
  read(src: Uint8Array, start: number, ownProto: boolean): unknown {
    this.src = src;
    this.pos = start;
    this.end = src.length;
    this.items = 0;
    this.ownProto = ownProto;
    try {
      return this.value(0);
    } finally {
      this.src = EMPTY;
      this.buf = undefined;
      this.view = undefined;
    }
  }

  /** Fails unless `n` more bytes are there. */
  private need(n: number): void {
    if (this.end - this.pos < n) {
      throw new MsgpackError('TRUNCATED', `MessagePack value truncated at byte ${this.pos}`, this.pos);
    }
  }

  private dv(): DataView {
    this.view ??= new DataView(this.src.buffer, this.src.byteOffset, this.src.byteLength);
    return this.view;
  }

  private u8(): number {
    this.need(1);
    return this.src[this.pos++]!;
  }

  private u16(): number {
    this.need(2);
    const s = this.src;
    const p = this.pos;
    this.pos = p + 2;
    return (s[p]! << 8) | s[p + 1]!;
  }

  private u32(): number {
    this.need(4);
    const s = this.src;
    const p = this.pos;
    this.pos = p + 4;
    return s[p]! * 0x100_0000 + ((s[p + 1]! << 16) | (s[p + 2]! << 8) | s[p + 3]!);
  }

  private uint64(): number | bigint {
    const hi = this.u32();
    const lo = this.u32();
    // hi < 2^21 keeps the value below 2^53, where a double is exact.
    if (hi < 0x20_0000) return hi * TWO_32 + lo;
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  private int64(): number | bigint {
    this.need(8);
    const hi = this.dv().getInt32(this.pos);
    const lo = this.dv().getUint32(this.pos + 4);
    this.pos += 8;
    const n = hi * TWO_32 + lo;
    // Rounding is monotonic, so a value beyond +-(2^53 - 1) never looks safe.
    if (Number.isSafeInteger(n)) return n;
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  private count(n: number): void {
    this.items += n;
    if (this.items > this.maxItems) {
      throw new MsgpackError(
        'TOO_MANY_ITEMS',
        `MessagePack value has more than ${this.maxItems} items (at byte ${this.pos})`,
        this.pos,
      );
    }
  }

  private str(len: number): string {
    this.need(len);
    const start = this.pos;
    this.pos = start + len;
    if (len <= 16) {
      const ascii = shortAscii(this.src, start, len);
      if (ascii !== undefined) return ascii;
    }
    return this.utf8(start, start + len);
  }

  private utf8(start: number, stop: number): string {
    const src = this.src;
    this.buf ??= Buffer.isBuffer(src) ? src : Buffer.from(src.buffer, src.byteOffset, src.byteLength);
    const out = utf8(this.buf, start, stop);
    if (out === undefined) {
      throw new MsgpackError('INVALID_UTF8', `MessagePack str at byte ${start} is not valid UTF-8`, start);
    }
    return out;
  }

  private bin(len: number): Buffer {
    this.need(len);
    const start = this.pos;
    this.pos += len;
    return Buffer.from(this.src.subarray(start, start + len));
  }

  private array(n: number, depth: number): unknown[] {
    this.open(n, depth);
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) out[i] = this.value(depth + 1);
    return out;
  }

  private map(n: number, depth: number): Record<string, unknown> {
    this.open(2 * n, depth);
    const out: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) {
      const key = this.key();
      const value = this.value(depth + 1);
      if (key === '__proto__') {
        // An own data property: assignment would set the prototype instead.
        Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
      } else out[key] = value;
    }
    return out;
  }

  /** Checks a container of `n` values before anything is allocated for it. */
  private open(n: number, depth: number): void {
    if (depth >= this.maxDepth) {
      throw new MsgpackError(
        'TOO_DEEP',
        `MessagePack value nested deeper than ${this.maxDepth} (at byte ${this.pos})`,
        this.pos,
      );
    }
    // Every value takes at least one byte: a header claiming more is truncated.
    if (n > this.end - this.pos) {
      throw new MsgpackError(
        'TRUNCATED',
        `MessagePack container at byte ${this.pos} claims ${n} values in ${this.end - this.pos} bytes`,
        this.pos,
      );
    }
    // Refuse before allocating: `new Array(n)` for a claimed 15 million values is itself the cost.
    if (this.items + n > this.maxItems) {
      throw new MsgpackError(
        'TOO_MANY_ITEMS',
        `MessagePack value has more than ${this.maxItems} items (at byte ${this.pos})`,
        this.pos,
      );
    }
  }

  /** A map key: a str, or an integer (as its decimal string). Never `__proto__`. */
  private key(): string {
    const at = this.pos;
    this.need(1);
    const b = this.src[at]!;
    let key: string;
    const len = b - 0xa0;
    if (len >= 1 && len <= MAX_CACHED_KEY && this.keys !== undefined) {
      // value(0) for a fixstr, through the key cache: the same count and checks.
      this.count(1);
      this.pos = at + 1;
      this.need(len);
      this.pos = at + 1 + len;
      key = this.keys.get(this.src, at + 1, len) ?? this.utf8(at + 1, at + 1 + len);
    } else if ((b >= 0xa0 && b <= 0xbf) || b === 0xd9 || b === 0xda || b === 0xdb) {
      key = this.value(0) as string;
    } else if (b <= 0x7f || b >= 0xe0 || (b >= 0xcc && b <= 0xd3)) {
      key = String(this.value(0));
    } else {
      throw new MsgpackError(
        'INVALID_KEY',
        `MessagePack map key at byte ${at} is not a str or an integer`,
        at,
      );
    }
    if (key === '__proto__' && !this.ownProto) {
      throw new MsgpackError('INVALID_KEY', `MessagePack map key at byte ${at} is __proto__`, at);
    }
    return key;
  }

  value(depth: number): unknown {
    this.count(1);
    const at = this.pos;
    const b = this.u8();
    if (b <= 0x7f) return b;
    if (b >= 0xe0) return b - 0x100;
    if (b <= 0x8f) return this.map(b & 0x0f, depth);
    if (b <= 0x9f) return this.array(b & 0x0f, depth);
    if (b <= 0xbf) return this.str(b & 0x1f);
    switch (b) {
      case 0xc0:
        return null;
      case 0xc2:
        return false;
      case 0xc3:
        return true;
      case 0xc4:
        return this.bin(this.u8());
      case 0xc5:
        return this.bin(this.u16());
      case 0xc6:
        return this.bin(this.u32());
      case 0xc7:
        return this.ext(this.u8(), at);
      case 0xc8:
        return this.ext(this.u16(), at);
      case 0xc9:
        return this.ext(this.u32(), at);
      case 0xca: {
        this.need(4);
        const v = this.dv().getFloat32(this.pos);
        this.pos += 4;
        return v;
      }
      case 0xcb: {
        this.need(8);
        const v = this.dv().getFloat64(this.pos);
        this.pos += 8;
        return v;
      }
      case 0xcc:
        return this.u8();
      case 0xcd:
        return this.u16();
      case 0xce:
        return this.u32();
      case 0xcf:
        return this.uint64();
      case 0xd0: {
        const v = this.u8();
        return v >= 0x80 ? v - 0x100 : v;
      }
      case 0xd1: {
        const v = this.u16();
        return v >= 0x8000 ? v - 0x1_0000 : v;
      }
      case 0xd2:
        return this.u32() | 0;
      case 0xd3:
        return this.int64();
      case 0xd4:
        return this.ext(1, at);
      case 0xd5:
        return this.ext(2, at);
      case 0xd6:
        return this.ext(4, at);
      case 0xd7:
        return this.ext(8, at);
      case 0xd8:
        return this.ext(16, at);
      case 0xd9:
        return this.str(this.u8());
      case 0xda:
        return this.str(this.u16());
      case 0xdb:
        return this.str(this.u32());
      case 0xdc:
        return this.array(this.u16(), depth);
      case 0xdd:
        return this.array(this.u32(), depth);
      case 0xde:
        return this.map(this.u16(), depth);
      case 0xdf:
        return this.map(this.u32(), depth);
      default:
        // 0xc1 is "never used" in the MessagePack spec.
        throw new MsgpackError('UNSUPPORTED_TYPE', `MessagePack byte 0xc1 (never used) at byte ${at}`, at);
    }
  }

  /** The timestamp extension (-1) in its three sizes; any other extension is refused unread. */
  private ext(len: number, at: number): Date {
    const type = this.u8();
    if (type !== 0xff) {
      throw new MsgpackError(
        'UNSUPPORTED_TYPE',
        `MessagePack extension type ${type > 127 ? type - 256 : type} at byte ${at} is not supported (only the timestamp, -1)`,
        at,
      );
    }
    let seconds: number;
    let nanos = 0;
    if (len === 4) {
      seconds = this.u32();
    } else if (len === 8) {
      const hi = this.u32();
      const lo = this.u32();
      nanos = hi >>> 2;
      seconds = (hi & 3) * TWO_32 + lo;
    } else if (len === 12 && this.src[at] === 0xc7) {
      nanos = this.u32();
      const s = this.int64();
      seconds = typeof s === 'bigint' ? Number.NaN : s;
    } else {
      throw new MsgpackError('UNSUPPORTED_TYPE', `MessagePack timestamp at byte ${at} has length ${len}`, at);
    }
    const date = new Date(seconds * 1000 + Math.floor(nanos / 1e6));
    if (nanos > 999_999_999 || Number.isNaN(date.getTime())) {
      throw new MsgpackError('UNSUPPORTED_TYPE', `MessagePack timestamp at byte ${at} is out of range`, at);
    }
    return date;
  }
}
