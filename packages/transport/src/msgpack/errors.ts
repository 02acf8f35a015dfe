/**
 * Why a MessagePack value was refused. Messages name the offset and the byte or
 * the limit, never the value: building a message must cost O(1) whatever the
 * input holds (msgpackr's error path stringified whole decoded trees).
 */
export type MsgpackErrorCode =
  /** The bytes end inside a value. */
  | 'TRUNCATED'
  /** Bytes are left after the one value expected. */
  | 'TRAILING_BYTES'
  /** 0xc1, or an extension other than the timestamp (-1), or a malformed timestamp. */
  | 'UNSUPPORTED_TYPE'
  /** A str that is not valid UTF-8. */
  | 'INVALID_UTF8'
  /** A map key that is neither a str nor an integer, or the key `__proto__`. */
  | 'INVALID_KEY'
  /** Nesting deeper than `maxDepth`. */
  | 'TOO_DEEP'
  /** More values than `maxItems`. */
  | 'TOO_MANY_ITEMS'
  /** The encoder met a value outside the documented subset (a function, a Set, a cycle...). */
  | 'UNENCODABLE';

export class MsgpackError extends Error {
  readonly code: MsgpackErrorCode;
  /** Byte offset of the problem in the decoded input; -1 for the encoder. */
  readonly offset: number;
  constructor(code: MsgpackErrorCode, message: string, offset = -1) {
    super(message);
    this.name = 'MsgpackError';
    this.code = code;
    this.offset = offset;
  }
}
