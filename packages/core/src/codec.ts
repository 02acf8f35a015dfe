import { ContentType, msgpack } from '@courier/transport';
import { Packr } from 'msgpackr';
import { BadRequestError } from './errors.js';

/**
 * The body encoder: plain MessagePack like the envelope codec, except that an
 * object property whose value is `undefined` is left out rather than sent as
 * nil. `{ b: undefined }` then arrives as `{}`, which is what an optional
 * field's schema expects; as nil it would arrive as `null` and fail it.
 */
const bodyPackr = new Packr({
  useRecords: false,
  moreTypes: false,
  encodeUndefinedAsNil: true,
  mapsAsObjects: true,
  int64AsType: 'number',
  // Not in msgpackr's typings, but supported by its encoder.
  ...{ skipValues: [undefined] },
});

/**
 * Body encoding. Bodies are MessagePack by default; JSON and raw bytes are
 * accepted from peers that prefer them (other languages, tools).
 */
export function encodeBody(value: unknown): Buffer[] {
  return value === undefined ? [] : [bodyPackr.pack(value)];
}

/** Decodes a body; a body that does not parse is the caller's fault (BAD_REQUEST). */
export function decodeBody(body: readonly Buffer[], contentType: string | undefined): unknown {
  if (body.length === 0) return undefined;
  const data = body.length === 1 ? body[0]! : Buffer.concat(body);
  try {
    switch (contentType) {
      case undefined:
      case ContentType.MSGPACK:
        return msgpack.unpack(data);
      case ContentType.JSON:
        return JSON.parse(data.toString('utf8'));
      case ContentType.BINARY:
        return data;
    }
  } catch (cause) {
    throw new BadRequestError(`body is not valid ${contentType ?? ContentType.MSGPACK}`, { cause });
  }
  throw new BadRequestError(`unsupported content type ${contentType}`);
}
