import { randomFillSync } from 'node:crypto';

/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/) `traceparent`
 * values: `00-<32 hex trace id>-<16 hex span id>-<2 hex flags>`.
 */

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/s;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

export interface TraceParent {
  readonly traceId: string;
  readonly spanId: string;
  readonly flags: string;
}

/** Parses a traceparent; `undefined` when it is missing or invalid (then a new trace starts). */
export function parseTraceparent(value: string | undefined): TraceParent | undefined {
  if (value === undefined) return undefined;
  const m = TRACEPARENT.exec(value.trim());
  if (m === null) return undefined;
  const [, version, traceId, spanId, flags, rest] = m as unknown as [
    string,
    string,
    string,
    string,
    string,
    string?,
  ];
  // Version ff is forbidden; version 00 has exactly four fields; later versions may add more.
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (traceId === ZERO_TRACE || spanId === ZERO_SPAN) return undefined;
  return { traceId, spanId, flags };
}

export function formatTraceparent(tp: TraceParent): string {
  return `00-${tp.traceId}-${tp.spanId}-${tp.flags}`;
}

/** A new trace: random ids, not sampled (Courier records no spans itself). */
export function newTrace(): TraceParent {
  return { traceId: randomId(16, ZERO_TRACE), spanId: randomId(8, ZERO_SPAN), flags: '00' };
}

/** A child span of `parent`, for a call made while handling it: same trace, new span id. */
export function childOf(parent: TraceParent): TraceParent {
  return { traceId: parent.traceId, spanId: randomId(8, ZERO_SPAN), flags: parent.flags };
}

// Ids come from a pool of crypto-random bytes refilled in 4 KiB steps: one
// syscall per ~500 span ids instead of one randomBytes() call per id.
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;

function randomId(bytes: number, zero: string): string {
  for (;;) {
    if (poolOffset + bytes > pool.length) {
      randomFillSync(pool);
      poolOffset = 0;
    }
    const id = pool.toString('hex', poolOffset, poolOffset + bytes);
    poolOffset += bytes;
    if (id !== zero) return id;
  }
}
