// The compute implementation of docs/examples/core/compute.ts: a plain function, run on a worker thread.
import { BadRequestError, type ComputeFunction } from '@courier/core';

export interface Weights {
  readonly values: Float64Array; // over a SharedArrayBuffer: every worker reads the same memory
}

export const rank: ComputeFunction<{ items: number[]; top: number }, number[], Weights> = (
  { items, top },
  weights,
) => {
  if (items.some((i) => i >= weights.values.length)) throw new BadRequestError('unknown item');
  return items.toSorted((a, b) => weights.values[b]! - weights.values[a]!).slice(0, top);
};
