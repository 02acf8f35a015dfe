import type { Outcome } from './load.js';
import { formatOverload, type OverloadFigures } from './overload.js';
import { DEADLINE_MS, LATE_MS } from './settings.js';

export interface Figures {
  readonly scenario: string;
  readonly calls: number;
  readonly outcomes: Record<string, number>;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  /** From the fault to the first call that failed on the faulted instance and then succeeded on another, in ms. */
  readonly failoverMs: number | undefined;
  /** From the fault to the last failed call, in ms: after it, every call succeeded. */
  readonly recoverMs: number | undefined;
  /** From the fault to the client declaring the faulted endpoint dead, in ms, where measured. */
  readonly deadAfterMs?: number | undefined;
  /** The longest the client's event loop ran late after the fault, in ms, where measured. */
  readonly loopDelayMaxMs?: number;
  readonly violations: string[];
  /** The overload scenario's target figures. */
  readonly overload?: OverloadFigures;
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** The figures of one scenario, and every invariant it broke. */
export function figures(
  scenario: string,
  outcomes: readonly Outcome[],
  faultAt: number,
  failovers: readonly number[],
  doubleWrites: readonly string[],
  settleCounts: ReadonlyMap<number, number>,
  hung: string | undefined,
): Figures {
  const latencies = outcomes.map((o) => o.end - o.start).sort((a, b) => a - b);
  const counts: Record<string, number> = {};
  for (const o of outcomes) counts[o.code] = (counts[o.code] ?? 0) + 1;
  const violations: string[] = [];
  if (hung !== undefined) violations.push(hung);
  const untyped = counts.UNTYPED ?? 0;
  if (untyped > 0) violations.push(`${untyped} untyped errors`);
  const late = outcomes.filter((o) => o.end - o.start > DEADLINE_MS + LATE_MS).length;
  if (late > 0) violations.push(`${late} calls settled past deadline + ${LATE_MS} ms`);
  if (doubleWrites.length > 0)
    violations.push(`writes executed twice: ${doubleWrites.slice(0, 5).join(', ')}`);
  const twice = [...settleCounts.values()].filter((n) => n > 1).length;
  if (twice > 0) violations.push(`${twice} calls settled more than once`);
  if (settleCounts.size < outcomes.length) {
    violations.push(`${outcomes.length - settleCounts.size} outcomes without a call-end event`);
  }
  const failed = outcomes.filter((o) => o.code !== 'OK' && o.end >= faultAt);
  const firstFailover = failovers.filter((t) => t >= faultAt).sort((a, b) => a - b)[0];
  return {
    scenario,
    calls: outcomes.length,
    outcomes: counts,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    max: latencies.at(-1) ?? 0,
    failoverMs: firstFailover === undefined ? undefined : firstFailover - faultAt,
    recoverMs: failed.length === 0 ? 0 : Math.max(...failed.map((o) => o.end)) - faultAt,
    violations,
  };
}

export function format(f: Figures): string {
  const ms = (n: number | undefined) => (n === undefined ? '-' : `${n.toFixed(1)} ms`);
  const outcomes = Object.entries(f.outcomes)
    .map(([code, n]) => `${code} ${n}`)
    .join(', ');
  return [
    `${f.scenario}: ${f.calls} calls (${outcomes})`,
    `  latency p50 ${ms(f.p50)}, p99 ${ms(f.p99)}, max ${ms(f.max)}`,
    `  time to fail over ${ms(f.failoverMs)}, time to recover ${ms(f.recoverMs)}`,
    ...(f.loopDelayMaxMs === undefined
      ? []
      : [
          `  faulted endpoint declared dead after ${ms(f.deadAfterMs)}; client loop delay max ${ms(f.loopDelayMaxMs)}`,
        ]),
    ...(f.overload === undefined ? [] : [formatOverload(f.overload)]),
    f.violations.length === 0 ? '  invariants: all held' : `  VIOLATIONS: ${f.violations.join('; ')}`,
  ].join('\n');
}
