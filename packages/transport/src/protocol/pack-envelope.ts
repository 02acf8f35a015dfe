import { msgpack } from './msgpack.js';

/** The longest string written by the fast path: a fixstr holds at most 31 bytes. */
const MAX_FIXSTR = 31;

/**
 * MessagePack-encodes one envelope (a short array), byte for byte as
 * `msgpack.pack` does.
 *
 * Envelopes on the hot path hold only small unsigned integers, nil and short
 * ASCII strings (`[1, 1, 7, "echo.say", 1000, nil, nil]`); for those this
 * writes the bytes straight into one small buffer, which costs a fraction of
 * msgpackr's general encoder (two envelopes per request were 8% of the CPU of
 * a loaded echo). Anything else (maps, floats, negative or large integers,
 * long or non-ASCII strings) goes to msgpackr unchanged.
 */
export function packEnvelope(values: readonly unknown[]): Buffer {
  // 15 elements fit the fixarray header; every envelope is shorter.
  if (values.length > 15) return msgpack.pack(values);
  let size = 1;
  for (let i = 0; i < values.length; i++) {
    const n = fastSize(values[i]);
    if (n === 0) return msgpack.pack(values);
    size += n;
  }
  const out = Buffer.allocUnsafe(size);
  out[0] = 0x90 | values.length;
  let at = 1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) {
      out[at++] = 0xc0;
    } else if (typeof v === 'number') {
      if (v < 0x80) {
        out[at++] = v;
      } else if (v < 0x100) {
        out[at++] = 0xcc;
        out[at++] = v;
      } else if (v < 0x1_0000) {
        out[at++] = 0xcd;
        out.writeUInt16BE(v, at);
        at += 2;
      } else {
        out[at++] = 0xce;
        out.writeUInt32BE(v, at);
        at += 4;
      }
    } else {
      const s = v as string;
      out[at++] = 0xa0 | s.length;
      // ASCII only (checked in fastSize): one byte per code unit.
      for (let c = 0; c < s.length; c++) out[at++] = s.charCodeAt(c);
    }
  }
  return out;
}

/** Encoded size of `v` on the fast path, or 0 when msgpackr must encode it. */
function fastSize(v: unknown): number {
  if (v === null || v === undefined) return 1;
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < 0 || v > 0xffff_ffff) return 0;
    return v < 0x80 ? 1 : v < 0x100 ? 2 : v < 0x1_0000 ? 3 : 5;
  }
  if (typeof v === 'string') {
    if (v.length > MAX_FIXSTR) return 0;
    for (let c = 0; c < v.length; c++) if (v.charCodeAt(c) > 0x7f) return 0;
    return 1 + v.length;
  }
  return 0;
}
