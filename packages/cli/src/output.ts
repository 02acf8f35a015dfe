import { CourierError } from '@courier/core';
import { HANDSHAKE_FAILED } from '@courier/transport';

/** JSON for people: binary values as base64, bigints as strings. */
export function toJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_key, v: unknown) => {
      if (v instanceof Uint8Array) return { $base64: Buffer.from(v).toString('base64') };
      if (typeof v === 'bigint') return v.toString();
      // Buffer.toJSON runs before the replacer sees the value.
      if (v !== null && typeof v === 'object' && (v as { type?: unknown }).type === 'Buffer') {
        const data = (v as { data?: unknown }).data;
        if (Array.isArray(data)) return { $base64: Buffer.from(data as number[]).toString('base64') };
      }
      return v;
    },
    2,
  );
}

/** One line describing a failure, with its details (if any) as compact JSON. */
export function describeError(err: unknown, endpoint: string): string {
  if (err instanceof CourierError) {
    if (err.code === 'UNAVAILABLE') {
      // A failed CURVE handshake says exactly what went wrong; keep it.
      if ((err.details as { code?: unknown } | undefined)?.code === HANDSHAKE_FAILED) {
        return `cannot reach ${endpoint}: ${err.message}`;
      }
      const why = err.message.includes('draining')
        ? 'it is draining'
        : 'no Courier service is answering there';
      return `cannot reach ${endpoint}: ${why}`;
    }
    // One line, so scripts and people can read it at a glance; details compact.
    const details = err.details === undefined ? '' : ` ${JSON.stringify(err.details)}`;
    return `${err.code} (${err.status}): ${err.message}${details}`;
  }
  return err instanceof Error ? err.message : String(err);
}
