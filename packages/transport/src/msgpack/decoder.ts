import { MsgpackError } from './errors.js';
import { DEFAULT_MSGPACK_LIMITS, type MsgpackLimits } from './limits.js';
import { Reader } from './reader.js';
import { KeyCache } from './strings.js';

/**
 * A strict MessagePack decoder for the subset of docs/protocol.md, section 3:
 * nil, bool, int (any width), float 32/64, str, bin, array, map, and the
 * timestamp extension (-1). Everything else is an error: 0xc1, every other
 * extension (so none of msgpackr's records, structures or references, whose
 * shared subtrees let a few hundred bytes describe an unbounded tree), invalid
 * UTF-8, and map keys other than str or integer.
 *
 * Cost is linear in the input: each value is read once, no length is trusted
 * beyond the bytes that are left, nothing is serialised on the error path, and
 * `MsgpackLimits` bound the nesting depth and the number of values built.
 *
 * Results: integers are `number` when safe (|n| <= 2^53 - 1) and `bigint`
 * beyond, so every 64-bit integer round-trips as an integer; bin is a `Buffer`
 * copied out of the input (a slice would keep a whole message alive for as
 * long as the application holds one small field); a map is a plain object
 * with string keys (an integer key becomes its decimal string, as with
 * msgpackr's `mapsAsObjects`); the key `__proto__` is refused (INVALID_KEY)
 * rather than renamed, or set as the prototype (see `decodeAt` for the one
 * exception); a timestamp is a `Date`.
 */

/** Fails unless the value read ended exactly at the end of `bytes`. */
function noTrailing(bytes: Uint8Array, pos: number): void {
  if (pos !== bytes.length) {
    throw new MsgpackError(
      'TRAILING_BYTES',
      `${bytes.length - pos} bytes after the MessagePack value (at byte ${pos})`,
      pos,
    );
  }
}

/**
 * A decoder to keep: one per socket or per client/server, never shared
 * between them. It reuses one reader and remembers recent map keys (see
 * KeyCache), which is what makes it about as fast as msgpackr. It accepts
 * and refuses exactly what the free `decode` does. Not re-entrant, which
 * nothing needs: a decode runs no user code.
 */
export class MsgpackDecoder {
  readonly #reader: Reader;
  #end = 0;

  constructor(limits: MsgpackLimits = DEFAULT_MSGPACK_LIMITS) {
    this.#reader = new Reader(limits, new KeyCache());
  }

  /** Decodes exactly one value that fills `bytes`; anything after it is TRAILING_BYTES. */
  decode(bytes: Uint8Array): unknown {
    const value = this.#reader.read(bytes, 0, false);
    noTrailing(bytes, this.#reader.pos);
    return value;
  }

  /** Decodes the one value at `start`; `end` is then the offset just after it. See `decodeAt`. */
  decodeAt(bytes: Uint8Array, start: number, ownProto = false): unknown {
    const value = this.#reader.read(bytes, start, ownProto);
    this.#end = this.#reader.pos;
    return value;
  }

  /** Where the last `decodeAt` value ended. */
  get end(): number {
    return this.#end;
  }
}

/** Decodes exactly one value that fills `bytes`; anything after it is TRAILING_BYTES. */
export function decode(bytes: Uint8Array, limits: MsgpackLimits = DEFAULT_MSGPACK_LIMITS): unknown {
  const r = new Reader(limits, undefined);
  const value = r.read(bytes, 0, false);
  noTrailing(bytes, r.pos);
  return value;
}

/**
 * Decodes the one value at `start`; `end` is the offset just after it. With
 * `ownProto`, a `__proto__` key becomes an own data property (never the
 * prototype) for a caller that validates keys itself: the envelope decoder
 * does, so that a `__proto__` metadata key is refused with the request's id.
 */
export function decodeAt(
  bytes: Uint8Array,
  start: number,
  limits: MsgpackLimits = DEFAULT_MSGPACK_LIMITS,
  ownProto = false,
): { value: unknown; end: number } {
  const r = new Reader(limits, undefined);
  const value = r.read(bytes, start, ownProto);
  return { value, end: r.pos };
}
