import { readFileSync } from 'node:fs';

/** Time the main thread spent on a CPU and waiting for one, in ms. */
export interface SchedTimes {
  runningMs: number;
  waitingMs: number;
}

/**
 * The main thread's scheduler times from Linux's /proc/thread-self/schedstat
 * (time on a CPU, time runnable but waiting in the run queue), or undefined
 * elsewhere. On a shared machine the waiting time says how much of a window
 * the event loop was ready to run but had no CPU: the benchmark's numbers
 * are then the machine's, not Courier's.
 *
 * @example
 * const from = schedTimes();
 * await work();
 * const to = schedTimes(); // to.waitingMs - from.waitingMs: ms starved
 */
export function schedTimes(): SchedTimes | undefined {
  try {
    const [running, waiting] = readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ');
    return { runningMs: Number(running) / 1e6, waitingMs: Number(waiting) / 1e6 };
  } catch {
    return undefined;
  }
}

/** Share of `wallMs` the thread spent waiting for a CPU between two readings, in %; NaN if unknown. */
export function waitingPercent(
  from: SchedTimes | undefined,
  to: SchedTimes | undefined,
  wallMs: number,
): number {
  if (from === undefined || to === undefined || !(wallMs > 0)) return Number.NaN;
  return ((to.waitingMs - from.waitingMs) / wallMs) * 100;
}
