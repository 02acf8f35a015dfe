import { MsgpackError } from './errors.js';
import { DEFAULT_MSGPACK_LIMITS } from './limits.js';

/**
 * A MessagePack encoder that writes what docs/protocol.md, section 3 says:
 * every integral number as a MessagePack integer of the smallest width
 * (including 2^32..2^64, which msgpackr writes as float64; -0 as 0), other
 * numbers as float64, `bigint` as int64/uint64, strings as str, `Uint8Array` (so
 * `Buffer`) and `ArrayBuffer` as bin, arrays as arrays, plain objects and
 * `Map`s as maps, `Date` as the timestamp extension (-1), `null` and
 * `undefined` as nil. Anything else (functions, symbols, Set, RegExp, Error,
 * other typed arrays, cycles, nesting deeper than the decode limit) is an
 * UNENCODABLE error, not a guess. Objects are written with a map16 header
 * (`de 00 NN`) even when small, as msgpackr does, so that the envelope fast
 * path (protocol/pack-envelope.ts) and this encoder write the same bytes.
 */

export interface EncodeOptions {
  /** Leave out object properties whose value is `undefined` (else they are nil). */
  readonly skipUndefined?: boolean;
}

const TWO_32 = 0x1_0000_0000;
/** Results this large are handed over rather than copied out of the scratch buffer. */
const HAND_OVER = 64 * 1024;
const SCRATCH = 8 * 1024;

class Writer {
  buf: Buffer = Buffer.allocUnsafeSlow(SCRATCH);
  pos = 0;
  busy = false;
  private skipUndefined = false;
  private readonly maxDepth = DEFAULT_MSGPACK_LIMITS.maxDepth;

  encode(value: unknown, options: EncodeOptions | undefined): Buffer {
    this.busy = true;
    this.pos = 0;
    this.skipUndefined = options?.skipUndefined === true;
    try {
      this.value(value, 0);
      const n = this.pos;
      if (n >= HAND_OVER) {
        const out = this.buf.subarray(0, n);
        this.buf = Buffer.allocUnsafeSlow(SCRATCH);
        return out;
      }
      const out = Buffer.allocUnsafe(n);
      this.buf.copy(out, 0, 0, n);
      return out;
    } finally {
      this.busy = false;
      // Drop a scratch buffer grown by one large value.
      if (this.buf.length > HAND_OVER) this.buf = Buffer.allocUnsafeSlow(SCRATCH);
    }
  }

  private room(n: number): Buffer {
    if (this.pos + n > this.buf.length) {
      const next = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.pos + n));
      this.buf.copy(next, 0, 0, this.pos);
      this.buf = next;
    }
    return this.buf;
  }

  private byte(b: number): undefined {
    this.room(1)[this.pos++] = b;
  }

  private head(b: number, n: number, size: 1 | 2 | 4): undefined {
    const buf = this.room(1 + size);
    let p = this.pos;
    buf[p++] = b;
    if (size === 1) buf[p++] = n;
    else if (size === 2) {
      buf[p++] = n >>> 8;
      buf[p++] = n & 0xff;
    } else {
      buf.writeUInt32BE(n, p);
      p += 4;
    }
    this.pos = p;
  }

  private value(v: unknown, depth: number): undefined {
    switch (typeof v) {
      case 'number':
        return this.number(v);
      case 'string':
        return this.string(v);
      case 'boolean':
        return this.byte(v ? 0xc3 : 0xc2);
      case 'undefined':
        return this.byte(0xc0);
      case 'bigint':
        return this.bigint(v);
      case 'object':
        if (v === null) return this.byte(0xc0);
        return this.object(v, depth);
      default:
        throw new MsgpackError('UNENCODABLE', `cannot encode a ${typeof v} as MessagePack`);
    }
  }

  private number(v: number): undefined {
    // -0 goes out as 0, as msgpackr and the envelope fast path write it.
    if (Number.isInteger(v)) {
      if (v >= 0) {
        if (v <= 0x7f) return this.byte(v);
        if (v <= 0xff) return this.head(0xcc, v, 1);
        if (v <= 0xffff) return this.head(0xcd, v, 2);
        if (v <= 0xffff_ffff) return this.head(0xce, v, 4);
        if (v < 2 ** 64) return this.int64(0xcf, Math.floor(v / TWO_32), v % TWO_32);
      } else {
        if (v >= -32) return this.byte(v & 0xff);
        if (v >= -0x80) return this.head(0xd0, v & 0xff, 1);
        if (v >= -0x8000) return this.head(0xd1, v & 0xffff, 2);
        if (v >= -0x8000_0000) return this.head(0xd2, v >>> 0, 4);
        if (v >= -(2 ** 63)) {
          const hi = Math.floor(v / TWO_32);
          return this.int64(0xd3, hi >>> 0, v - hi * TWO_32);
        }
      }
    }
    const buf = this.room(9);
    buf[this.pos] = 0xcb;
    buf.writeDoubleBE(v, this.pos + 1);
    this.pos += 9;
  }

  /** Writes a 64-bit integer from its two 32-bit halves (as unsigned numbers). */
  private int64(b: number, hi: number, lo: number): undefined {
    const buf = this.room(9);
    buf[this.pos] = b;
    buf.writeUInt32BE(hi, this.pos + 1);
    buf.writeUInt32BE(lo, this.pos + 5);
    this.pos += 9;
  }

  private bigint(v: bigint): undefined {
    if (v >= -(2n ** 63n) && v < 2n ** 64n) {
      if (v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)) {
        return this.number(Number(v));
      }
      const buf = this.room(9);
      if (v >= 0n) {
        buf[this.pos] = 0xcf;
        buf.writeBigUInt64BE(v, this.pos + 1);
      } else {
        buf[this.pos] = 0xd3;
        buf.writeBigInt64BE(v, this.pos + 1);
      }
      this.pos += 9;
      return;
    }
    throw new MsgpackError('UNENCODABLE', 'cannot encode a bigint outside -2^63..2^64-1 as MessagePack');
  }

  private string(s: string): undefined {
    const len = s.length;
    if (len < 16) {
      // Short ASCII: no native call.
      const buf = this.room(1 + len * 3 + 1);
      let p = this.pos + 1;
      let ascii = true;
      for (let i = 0; i < len; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) {
          ascii = false;
          break;
        }
        buf[p++] = c;
      }
      if (ascii) {
        buf[this.pos] = 0xa0 | len;
        this.pos = p;
        return;
      }
    }
    // UTF-8 takes len..3*len bytes: write after the smallest header that could
    // fit, then move the bytes if the real length needs a larger one.
    const guess = strHeaderSize(len);
    const buf = this.room(5 + len * 3);
    const start = this.pos;
    const n = buf.write(s, start + guess, 'utf8');
    const size = strHeaderSize(n);
    if (size !== guess) buf.copyWithin(start + size, start + guess, start + guess + n);
    if (size === 1) buf[start] = 0xa0 | n;
    else if (size === 2) {
      buf[start] = 0xd9;
      buf[start + 1] = n;
    } else if (size === 3) {
      buf[start] = 0xda;
      buf.writeUInt16BE(n, start + 1);
    } else {
      buf[start] = 0xdb;
      buf.writeUInt32BE(n, start + 1);
    }
    this.pos = start + size + n;
  }

  private bin(bytes: Uint8Array): undefined {
    const n = bytes.length;
    if (n <= 0xff) this.head(0xc4, n, 1);
    else if (n <= 0xffff) this.head(0xc5, n, 2);
    else this.head(0xc6, n, 4);
    this.room(n).set(bytes, this.pos);
    this.pos += n;
  }

  private object(v: object, depth: number): undefined {
    if (depth >= this.maxDepth) {
      throw new MsgpackError('UNENCODABLE', `value nested deeper than ${this.maxDepth} (or a cycle)`);
    }
    if (Array.isArray(v)) {
      const n = v.length;
      if (n <= 0x0f) this.byte(0x90 | n);
      else if (n <= 0xffff) this.head(0xdc, n, 2);
      else this.head(0xdd, n, 4);
      for (let i = 0; i < n; i++) this.value(v[i], depth + 1);
      return;
    }
    if (v instanceof Uint8Array) return this.bin(v);
    if (v instanceof Date) return this.date(v);
    const proto = Object.getPrototypeOf(v);
    if (proto === Object.prototype || proto === null) return this.plain(v as Record<string, unknown>, depth);
    if (v instanceof Map) return this.map(v, depth);
    if (v instanceof ArrayBuffer) return this.bin(new Uint8Array(v));
    if (ArrayBuffer.isView(v) || v instanceof Set || v instanceof Error || v instanceof RegExp) {
      throw new MsgpackError(
        'UNENCODABLE',
        `cannot encode a ${proto?.constructor?.name ?? 'object'} as MessagePack`,
      );
    }
    // Other class instances: their own enumerable properties, as a map.
    return this.plain(v as Record<string, unknown>, depth);
  }

  private plain(v: Record<string, unknown>, depth: number): undefined {
    const keys = Object.keys(v);
    const wide = keys.length > 0xffff;
    const start = this.pos;
    this.room(wide ? 5 : 3);
    this.pos += wide ? 5 : 3;
    let n = 0;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const value = v[key];
      if (value === undefined && this.skipUndefined) continue;
      this.string(key);
      this.value(value, depth + 1);
      n++;
    }
    const buf = this.buf;
    if (wide) {
      buf[start] = 0xdf;
      buf.writeUInt32BE(n, start + 1);
    } else {
      buf[start] = 0xde;
      buf[start + 1] = n >>> 8;
      buf[start + 2] = n & 0xff;
    }
  }

  private map(m: Map<unknown, unknown>, depth: number): undefined {
    const n = m.size;
    if (n <= 0xffff) this.head(0xde, n, 2);
    else this.head(0xdf, n, 4);
    for (const [key, value] of m) {
      if (typeof key === 'string') this.string(key);
      else if (typeof key === 'number' && Number.isInteger(key)) this.number(key);
      else throw new MsgpackError('UNENCODABLE', 'a Map key must be a string or an integer');
      this.value(value, depth + 1);
    }
  }

  private date(d: Date): undefined {
    const ms = d.getTime();
    if (Number.isNaN(ms)) throw new MsgpackError('UNENCODABLE', 'cannot encode an invalid Date');
    const seconds = Math.floor(ms / 1000);
    const nanos = (ms - seconds * 1000) * 1e6;
    if (nanos === 0 && seconds >= 0 && seconds < TWO_32) {
      const buf = this.room(6);
      buf[this.pos] = 0xd6;
      buf[this.pos + 1] = 0xff;
      buf.writeUInt32BE(seconds, this.pos + 2);
      this.pos += 6;
    } else if (seconds >= 0 && seconds < 4 * TWO_32) {
      const buf = this.room(10);
      buf[this.pos] = 0xd7;
      buf[this.pos + 1] = 0xff;
      buf.writeUInt32BE(((nanos << 2) | Math.floor(seconds / TWO_32)) >>> 0, this.pos + 2);
      buf.writeUInt32BE(seconds % TWO_32, this.pos + 6);
      this.pos += 10;
    } else {
      const buf = this.room(15);
      buf[this.pos] = 0xc7;
      buf[this.pos + 1] = 12;
      buf[this.pos + 2] = 0xff;
      buf.writeUInt32BE(nanos, this.pos + 3);
      buf.writeBigInt64BE(BigInt(seconds), this.pos + 7);
      this.pos += 15;
    }
  }
}

function strHeaderSize(bytes: number): 1 | 2 | 3 | 5 {
  return bytes <= 0x1f ? 1 : bytes <= 0xff ? 2 : bytes <= 0xffff ? 3 : 5;
}

const shared = new Writer();

/** Encodes one value. The result is the caller's (not a view of shared scratch). */
export function encode(value: unknown, options?: EncodeOptions): Buffer {
  // A getter that encodes while we encode gets a writer of its own.
  return (shared.busy ? new Writer() : shared).encode(value, options);
}
