/**
 * The shape of a compute method's implementation: a plain function of the
 * parsed input and the pool's `shared` data (see ComputePoolOptions.shared),
 * returning the output or a promise of it. It runs on a worker thread, so it
 * may block as long as it needs to; it sees no Context (the deadline and
 * cancellation are enforced from outside, by stopping the worker).
 *
 * Throw a CourierError (e.g. BadRequestError) to answer the caller with that
 * code, message and details; anything else reaches the caller as INTERNAL.
 *
 * @example
 * // rank.worker.ts
 * import type { ComputeFunction } from '@courier/core';
 * export const rank: ComputeFunction<{ items: number[] }, number[]> = ({ items }) =>
 *   items.toSorted((a, b) => b - a);
 */
export type ComputeFunction<TInput, TOutput, TShared = unknown> = (
  input: TInput,
  shared: TShared,
) => TOutput | Promise<TOutput>;
