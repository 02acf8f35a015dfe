import { describe, expect, it } from 'vitest';
import { MIN_TRANSFER_BYTES, prepareTransfer } from './transfer.js';

const BIG = MIN_TRANSFER_BYTES / 4; // float32 elements in a transfer-sized array

describe('prepareTransfer', () => {
  it('leaves plain values and small buffers to the structured clone', () => {
    const value = { a: 1, s: 'x', small: new Float32Array(16), list: [1, 2] };
    const prepared = prepareTransfer(value);
    expect(prepared.value).toBe(value);
    expect(prepared.transferList).toEqual([]);
  });

  it('moves a large view that spans its buffer, without copying', () => {
    const data = new Float32Array(BIG).fill(2);
    const { value, transferList } = prepareTransfer(data);
    expect(data.byteLength).toBe(0); // detached: the memory now belongs to `value`
    expect(value).toBeInstanceOf(Float32Array);
    expect((value as Float32Array)[BIG - 1]).toBe(2);
    expect(transferList).toEqual([(value as Float32Array).buffer]);
  });

  it('copies a slice of a larger buffer once, into a buffer of its own size', () => {
    const parent = new Float64Array(BIG * 4).fill(7);
    const slice = parent.subarray(BIG, BIG * 2);
    const { value, transferList } = prepareTransfer({ slice });
    const moved = (value as { slice: Float64Array }).slice;
    expect(parent.byteLength).toBe(BIG * 32); // untouched
    expect(moved.buffer.byteLength).toBe(BIG * 8);
    expect(moved[0]).toBe(7);
    expect(transferList).toEqual([moved.buffer]);
  });

  it('leaves SharedArrayBuffer-backed views shared', () => {
    const shared = new Float32Array(new SharedArrayBuffer(MIN_TRANSFER_BYTES * 2));
    const prepared = prepareTransfer({ shared });
    expect((prepared.value as { shared: Float32Array }).shared).toBe(shared);
    expect(prepared.transferList).toEqual([]);
  });

  it('sends a large Buffer as a Uint8Array, and a raw ArrayBuffer as itself', () => {
    const buf = Buffer.alloc(MIN_TRANSFER_BYTES, 1);
    const raw = new ArrayBuffer(MIN_TRANSFER_BYTES);
    const { value, transferList } = prepareTransfer([buf, raw]);
    const [u8, ab] = value as [Uint8Array, ArrayBuffer];
    expect(Buffer.isBuffer(u8)).toBe(false);
    expect(u8).toBeInstanceOf(Uint8Array);
    expect(u8[0]).toBe(1);
    expect(ab).toBeInstanceOf(ArrayBuffer);
    expect(ab.byteLength).toBe(MIN_TRANSFER_BYTES);
    expect(transferList).toHaveLength(2);
  });

  it('copies only the containers on the way to a replaced value, never mutating the caller’s', () => {
    const data = new Uint8Array(MIN_TRANSFER_BYTES);
    const other = { untouched: true };
    const input = { meta: other, nested: { data, k: 3 } };
    const { value } = prepareTransfer(input);
    const out = value as typeof input;
    // Identity checks as booleans: printing a detached array would throw.
    expect(out === input).toBe(false);
    expect(out.meta === other).toBe(true);
    expect(out.nested === input.nested).toBe(false);
    expect(input.nested.data === data).toBe(true); // the caller's object still holds its (now moved) array
    expect(out.nested.k).toBe(3);
  });

  it('does not walk long arrays of data', () => {
    const rows = Array.from({ length: 5000 }, () => 0);
    expect(prepareTransfer({ rows }).value).toEqual({ rows });
  });
});
