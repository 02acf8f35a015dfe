import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { type Context, defineService, method } from '@courier/core';
import { z } from 'zod';

const input = z.object({ id: z.string(), ms: z.number().int().min(0).max(60_000) });
export type HopInput = z.infer<typeof input>;

/** Milliseconds since the epoch with performance.now()'s resolution, comparable across processes. */
export function wallClock(): number {
  return performance.timeOrigin + performance.now();
}

/** Ids of the chain's probes: calls that never finish on their own, cancelled or left to expire. */
export const PROBE = 'p';

/** One hop of the chain: `hop-a` and `hop-b` relay to the next hop, `hop-c` does the work. */
export function hopService(name: string, handler: (input: HopInput, ctx: Context) => Promise<string>) {
  return defineService({
    name,
    version: 1,
    methods: { call: method({ input, idempotent: true, handler }) },
  });
}

/**
 * The last hop: waits `ms` unless its signal aborts first. For a probe it
 * writes that it arrived, then when the abort arrived and why (`abort`), so the suite can measure
 * how long a cancel or a deadline took to travel three hops.
 */
export function lastHop(label: string) {
  return hopService('hop-c', async ({ id, ms }, ctx) => {
    if (id.startsWith(PROBE))
      process.stdout.write(`${JSON.stringify({ event: 'arrived', id, instance: label })}\n`);
    try {
      await delay(ms, undefined, { signal: ctx.signal });
    } catch (err) {
      if (id.startsWith(PROBE) && ctx.signal.aborted) {
        const reason = (ctx.signal.reason as { code?: string } | undefined)?.code ?? 'unknown';
        process.stdout.write(
          `${JSON.stringify({ event: 'abort', id, at: wallClock(), reason, instance: label })}\n`,
        );
      }
      // The signal's reason is the typed error (CancelledError, DeadlineExceededError), not the timer's AbortError.
      throw ctx.signal.aborted ? ctx.signal.reason : err;
    }
    return label;
  });
}

/** The definitions as clients see them (handlers never run there). */
export const hopA = hopService('hop-a', async () => '');
export const hopB = hopService('hop-b', async () => '');
export const hopC = lastHop('client');
