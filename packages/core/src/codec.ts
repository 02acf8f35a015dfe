import { ContentType, msgpack } from '@courier/transport';
import { BadRequestError } from './errors.js';

/**
 * Body encoding. Bodies are MessagePack by default; JSON and raw bytes are
 * accepted from peers that prefer them (other languages, tools).
 */
export function encodeBody(value: unknown): Buffer[] {
  return value === undefined ? [] : [msgpack.pack(value)];
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
