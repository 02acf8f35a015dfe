/**
 * Bounds on what one decode may build. Every value costs at least one input
 * byte, so time is linear in bytes already; these bound the constant: an empty
 * array is one byte on the wire but some 30 bytes of heap, so a 16 MiB body of
 * them would otherwise become half a gigabyte.
 */
export interface MsgpackLimits {
  /** Deepest nesting of arrays and maps (the top-level value is depth 0). */
  readonly maxDepth: number;
  /** Most values in one decode, counting every element, key and value at any depth. */
  readonly maxItems: number;
}

/**
 * 100 levels is far beyond any schema's nesting and keeps the recursive decoder
 * far from the stack limit; 2^20 values is a 1 Mi-element array of numbers
 * (16 MiB bodies of numbers need at least 9 bytes each, 1.9 Mi values: raise it
 * for such services) and bounds the heap of a hostile body at some 50 MB.
 */
export const DEFAULT_MSGPACK_LIMITS: MsgpackLimits = Object.freeze({
  maxDepth: 100,
  maxItems: 1 << 20,
});
