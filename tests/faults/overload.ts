import type { Outcome } from './load.js';

/** Time marks of the overload scenario, as `performance.now()` timestamps. */
export interface OverloadMarks {
  /** The half load on `limited` starts. */
  readonly halfAt: number;
  /** The 10x burst starts beside it. */
  readonly burstAt: number;
  /** The burst stopped starting calls: the load drops back to half. */
  readonly dropAt: number;
  /** The half load stops. */
  readonly endAt: number;
  /** Slots of the `limited` method across the cluster (instances x concurrency). */
  readonly slots: number;
}

export interface OverloadFigures {
  /** p99 of `limited` calls that succeeded at half load, in ms. */
  readonly halfP99: number;
  /** p99 of `limited` calls started during the burst that succeeded, in ms. */
  readonly overloadP99: number;
  /**
   * `limited` calls that succeeded during the burst, per second, over the
   * capacity: every slot busy for the median latency at half load (the
   * work as this machine runs it, not the nominal 10 ms).
   */
  readonly servedFraction: number;
  /** That capacity, in calls per second. */
  readonly capacityPerSecond: number;
  /** From the drop to the end of the last call the servers shed that started after it, in ms (0: none). */
  readonly shedAfterDropMs: number;
  /** The same for calls the client's throttle rejected locally. */
  readonly throttledAfterDropMs: number;
  /** `limited` calls started during the burst that the servers shed. */
  readonly shed: number;
  /** ... and that the client's throttle rejected without sending them. */
  readonly throttled: number;
  /** `limited` calls started after the drop that succeeded. */
  readonly servedAfterDrop: number;
}

function quantile(values: number[], q: number): number {
  if (values.length === 0) return 0;
  values.sort((a, b) => a - b);
  return values[Math.min(values.length - 1, Math.floor(q * values.length))]!;
}

/** The client's throttle fails a call with OVERLOADED before any attempt. */
const throttled = (o: Outcome): boolean => o.code === 'OVERLOADED' && o.attempts === 0;
const shed = (o: Outcome): boolean => o.code === 'OVERLOADED' && o.attempts > 0;

/** The overload target's figures from the outcomes of the `limited` loads. */
export function overloadFigures(limited: readonly Outcome[], m: OverloadMarks): OverloadFigures {
  const half: number[] = [];
  const over: number[] = [];
  let servedInBurst = 0;
  let shedInBurst = 0;
  let throttledInBurst = 0;
  let lastShed = m.dropAt;
  let lastThrottled = m.dropAt;
  let servedAfterDrop = 0;
  for (const o of limited) {
    const ok = o.code === 'OK';
    if (ok && o.start >= m.halfAt && o.end < m.burstAt) half.push(o.end - o.start);
    if (o.start >= m.burstAt && o.start < m.dropAt) {
      if (ok) over.push(o.end - o.start);
      else if (shed(o)) shedInBurst++;
      else if (throttled(o)) throttledInBurst++;
    }
    if (ok && o.end >= m.burstAt && o.end < m.dropAt) servedInBurst++;
    if (shed(o) && o.start >= m.dropAt) lastShed = Math.max(lastShed, o.end);
    if (throttled(o) && o.start >= m.dropAt) lastThrottled = Math.max(lastThrottled, o.end);
    if (ok && o.start >= m.dropAt) servedAfterDrop++;
  }
  const burstSeconds = (m.dropAt - m.burstAt) / 1000;
  const capacityPerSecond = (m.slots * 1000) / Math.max(quantile(half, 0.5), 1e-3);
  return {
    halfP99: quantile(half, 0.99),
    overloadP99: quantile(over, 0.99),
    servedFraction: servedInBurst / burstSeconds / capacityPerSecond,
    capacityPerSecond,
    shedAfterDropMs: lastShed - m.dropAt,
    throttledAfterDropMs: lastThrottled - m.dropAt,
    shed: shedInBurst,
    throttled: throttledInBurst,
    servedAfterDrop,
  };
}

/**
 * The issue's target: accepted calls' p99 within 2x of the half-load p99, at
 * least 90% of capacity served, no shedding 100 ms after the load drops.
 */
export function overloadViolations(f: OverloadFigures): string[] {
  const v: string[] = [];
  if (f.overloadP99 > 2 * f.halfP99) {
    v.push(
      `overload p99 ${f.overloadP99.toFixed(1)} ms over 2x the half-load p99 ${f.halfP99.toFixed(1)} ms`,
    );
  }
  if (f.servedFraction < 0.9) v.push(`served ${(100 * f.servedFraction).toFixed(0)}% of capacity, under 90%`);
  if (f.shedAfterDropMs > 100)
    v.push(`still shedding ${f.shedAfterDropMs.toFixed(0)} ms after the load dropped`);
  return v;
}

export function formatOverload(f: OverloadFigures): string {
  return (
    `  overload: half-load p99 ${f.halfP99.toFixed(1)} ms, overload p99 ${f.overloadP99.toFixed(1)} ms ` +
    `(${(f.overloadP99 / Math.max(f.halfP99, 1e-9)).toFixed(2)}x), served ${(100 * f.servedFraction).toFixed(0)}% ` +
    `of capacity (${f.capacityPerSecond.toFixed(0)}/s), ${f.shed} shed by servers and ${f.throttled} throttled by the client; ` +
    `shedding stopped ${f.shedAfterDropMs.toFixed(0)} ms and throttling ${f.throttledAfterDropMs.toFixed(0)} ms after the drop`
  );
}

/**
 * What every run checks, on any machine: calls were served during the
 * burst, and the half load was served again after the drop. The timing
 * target is checked only when `targets` (the full run).
 */
export function overloadChecks(f: OverloadFigures, targets: boolean): string[] {
  const v: string[] = [];
  if (!(f.servedFraction > 0)) v.push('no `limited` call was served during the burst');
  if (f.servedAfterDrop === 0) v.push('no `limited` call was served after the load dropped');
  return targets ? [...v, ...overloadViolations(f)] : v;
}
