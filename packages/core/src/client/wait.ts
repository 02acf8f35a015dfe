import { MAX_TIMER_MS } from '../max-timer.js';

/** How a bounded wait ended. */
export type WaitResult = 'done' | 'deadline' | 'cancelled';

/**
 * Waits for `subscribe`'s callback, the absolute `deadline`
 * (`performance.now()` based) or the signal, whichever comes first, and
 * removes every listener and timer it added. `subscribe` returns its
 * unsubscribe function.
 */
export function waitFor(
  subscribe: (done: () => void) => () => void,
  deadline: number,
  signal: AbortSignal | undefined,
  now: number,
): Promise<WaitResult> {
  if (signal?.aborted) return Promise.resolve('cancelled');
  if (deadline <= now) return Promise.resolve('deadline');
  return new Promise((resolve) => {
    let unsubscribe: (() => void) | undefined;
    let settled = false;
    const finish = (result: WaitResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      unsubscribe?.();
      resolve(result);
    };
    const onAbort = (): void => finish('cancelled');
    const timer = setTimeout(finish, Math.min(deadline - now, MAX_TIMER_MS), 'deadline');
    signal?.addEventListener('abort', onAbort, { once: true });
    unsubscribe = subscribe(() => finish('done'));
    if (settled) unsubscribe();
  });
}

/** Sleeps `ms`, or less if the signal aborts; resolves false when it did. */
export async function sleep(ms: number, signal: AbortSignal | undefined, now: number): Promise<boolean> {
  // A wait with nothing to wait for ends at its deadline.
  return (await waitFor(() => noop, now + ms, signal, now)) !== 'cancelled';
}

function noop(): void {}
