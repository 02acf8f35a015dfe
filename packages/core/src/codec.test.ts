import { ContentType, msgpack } from '@courier/transport';
import { describe, expect, it } from 'vitest';
import { decodeBody, encodeBody } from './codec.js';
import { BadRequestError } from './errors.js';

describe('body codec', () => {
  it('round-trips plain values as standard MessagePack', () => {
    const value = {
      id: 'x',
      n: 3,
      f: 1.5,
      list: [1, 'a', null],
      nested: { ok: true },
      bytes: Buffer.from([1, 2]),
    };
    const body = encodeBody(value);
    expect(decodeBody(body, undefined)).toEqual(value);
    // Readable by a plain decoder (what another language would use).
    expect(msgpack.unpack(body[0]!)).toEqual(value);
  });

  it('leaves out properties set to undefined, so optional fields stay absent', () => {
    expect(decodeBody(encodeBody({ a: 1, b: undefined, c: { d: undefined } }), undefined)).toEqual({
      a: 1,
      c: {},
    });
  });

  it('sends no body for undefined, and reads no body as undefined', () => {
    expect(encodeBody(undefined)).toEqual([]);
    expect(decodeBody([], undefined)).toBeUndefined();
  });

  it('reads JSON and raw bytes from peers that send them, and multi-frame bodies', () => {
    expect(decodeBody([Buffer.from('{"a":'), Buffer.from('1}')], ContentType.JSON)).toEqual({ a: 1 });
    expect(decodeBody([Buffer.from([7, 8])], ContentType.BINARY)).toEqual(Buffer.from([7, 8]));
  });

  it('answers an undecodable body or an unknown content type with BAD_REQUEST', () => {
    expect(() => decodeBody([Buffer.from('{nope')], ContentType.JSON)).toThrow(BadRequestError);
    expect(() => decodeBody([Buffer.from([0x92, 0x01])], undefined)).toThrow(BadRequestError);
    expect(() => decodeBody([Buffer.from('x')], 'text/csv')).toThrow(/unsupported content type text\/csv/);
  });
});
