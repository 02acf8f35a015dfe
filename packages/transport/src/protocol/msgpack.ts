import { DEFAULT_MSGPACK_LIMITS, decode, decodeAt, encode } from '../msgpack/index.js';

/**
 * The one MessagePack codec used on the wire: the strict codec of
 * `src/msgpack/` (the subset of docs/protocol.md, section 3, and nothing
 * else), behind the few msgpackr-shaped calls the protocol code makes.
 */
export const msgpack = {
  /** Encodes one value (integers as integers, `undefined` as nil). */
  pack: (value: unknown): Buffer => encode(value),
  /** Decodes exactly one value; throws MsgpackError otherwise. */
  unpack: (bytes: Uint8Array): unknown => decode(bytes),
  /**
   * Decodes consecutive values, calling `each(value, from, to)` for each until
   * it returns false or the bytes run out.
   */
  unpackMultiple(
    bytes: Uint8Array,
    each: (value: unknown, from: number, to: number) => boolean | undefined,
  ): void {
    let at = 0;
    while (at < bytes.length) {
      // Envelopes: a `__proto__` key stays an own property, for the field checks to refuse.
      const { value, end } = decodeAt(bytes, at, DEFAULT_MSGPACK_LIMITS, true);
      if (each(value, at, end) === false) return;
      at = end;
    }
  },
};
