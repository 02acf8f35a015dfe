/**
 * Moving binary data between threads without copying it.
 *
 * `postMessage` copies whatever is not in its transfer list, and for a typed
 * array it copies the *whole* backing ArrayBuffer, even when the view is a
 * small slice of it. `prepareTransfer` finds the large binary values in a
 * task's input or result and arranges for each to cross exactly once:
 *
 * - a view spanning its whole ArrayBuffer is moved (no copy; the sender's view
 *   is detached afterwards, its length becomes 0);
 * - a slice of a larger buffer is copied once into a buffer of its own size,
 *   which is then moved (instead of cloning the whole parent buffer);
 * - SharedArrayBuffer-backed views are left alone: they are shared, not copied;
 * - values under {@link MIN_TRANSFER_BYTES} are left to the structured clone,
 *   which is cheaper for them than the bookkeeping (and keeps Node's pooled
 *   small Buffers, which must never be detached, out of it).
 *
 * Only plain objects and arrays are walked, to a bounded depth, and a
 * container is copied only when something inside it was replaced, so the
 * caller's own objects are never mutated. Buffers arrive on the other side as
 * Uint8Array (structured clone drops the Buffer prototype).
 */

/** Binary values at least this large are moved rather than cloned. */
export const MIN_TRANSFER_BYTES = 64 * 1024;

/** How deep into nested objects and arrays binary values are looked for. */
const MAX_DEPTH = 4;
/** Arrays longer than this are assumed to hold data (numbers), not buffers, and are not walked. */
const MAX_WALKED_ARRAY = 1024;

export interface Prepared {
  /** The value to post: the original, or a copy with binary leaves replaced. */
  readonly value: unknown;
  /** ArrayBuffers to list as transferable. */
  readonly transferList: ArrayBuffer[];
}

/** Prepares `value` to be posted to another thread; see the module comment. */
export function prepareTransfer(value: unknown): Prepared {
  const transferList: ArrayBuffer[] = [];
  return { value: walk(value, 0, transferList), transferList };
}

function walk(value: unknown, depth: number, list: ArrayBuffer[]): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (ArrayBuffer.isView(value)) return moveView(value, list);
  if (value instanceof ArrayBuffer) {
    if (value.byteLength < MIN_TRANSFER_BYTES) return value;
    const own = detachable(value);
    list.push(own);
    return own;
  }
  if (depth >= MAX_DEPTH) return value;
  if (Array.isArray(value)) {
    if (value.length > MAX_WALKED_ARRAY) return value;
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const next = walk(item, depth + 1, list);
      if (next !== item) {
        copy ??= value.slice();
        copy[i] = next;
      }
    }
    return copy ?? value;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  let copy: Record<string, unknown> | undefined;
  for (const [key, item] of Object.entries(value)) {
    const next = walk(item, depth + 1, list);
    if (next !== item) {
      copy ??= { ...(value as Record<string, unknown>) };
      copy[key] = next;
    }
  }
  return copy ?? value;
}

function moveView(view: ArrayBufferView, list: ArrayBuffer[]): unknown {
  const { buffer, byteOffset, byteLength } = view;
  if (byteLength < MIN_TRANSFER_BYTES || !(buffer instanceof ArrayBuffer)) return view;
  const own =
    byteOffset === 0 && byteLength === buffer.byteLength
      ? detachable(buffer)
      : copyBytes(buffer, byteOffset, byteLength);
  list.push(own);
  if (view instanceof DataView) return new DataView(own);
  if (Buffer.isBuffer(view)) return new Uint8Array(own);
  const Ctor = view.constructor as new (buffer: ArrayBuffer) => ArrayBufferView;
  return new Ctor(own);
}

/**
 * An ArrayBuffer with the same bytes that postMessage can detach. Most buffers
 * are detachable and are moved here without a copy; some are not (external
 * memory owned by native code, e.g. ZeroMQ frames), and postMessage would
 * silently copy them (Node 20) or throw (later versions). Moving through
 * structuredClone tells the two apart: it detaches what it can, and for the
 * rest yields a copy that is ours.
 */
function detachable(buffer: ArrayBuffer): ArrayBuffer {
  try {
    return structuredClone(buffer, { transfer: [buffer] });
  } catch {
    return copyBytes(buffer, 0, buffer.byteLength);
  }
}

function copyBytes(buffer: ArrayBuffer, byteOffset: number, byteLength: number): ArrayBuffer {
  const own = new ArrayBuffer(byteLength);
  new Uint8Array(own).set(new Uint8Array(buffer, byteOffset, byteLength));
  return own;
}
