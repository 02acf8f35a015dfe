import { type Metadata, MetaKey } from '@courier/transport';
import type { CallOptions } from '../context.js';
import { type Criticality, isCriticality } from '../criticality.js';
import { ClientConfigError } from '../errors.js';

/**
 * The defaults a client view starts its calls from (see `withDefaults`).
 * Kept apart from the client's own default deadline: a view's values are
 * caps a call cannot loosen, the client default is only a fallback.
 */
export interface CallScope {
  readonly deadlineMs: number | undefined;
  readonly deadline: number | undefined;
  readonly signal: AbortSignal | undefined;
  readonly meta: Metadata | undefined;
}

export const EMPTY_SCOPE: CallScope = {
  deadlineMs: undefined,
  deadline: undefined,
  signal: undefined,
  meta: undefined,
};

/** What one call runs with, after its options met its view's defaults. */
export interface ResolvedCall {
  /** Absolute, as a `performance.now()` timestamp: one budget for every attempt. */
  readonly deadline: number;
  readonly signal: AbortSignal | undefined;
  readonly meta: Metadata | undefined;
}

/**
 * Narrows a scope by more defaults: the stricter deadline of the two, either
 * signal aborts, later metadata wins per key.
 */
export function narrowScope(scope: CallScope, more: CallOptions): CallScope {
  return {
    deadlineMs: minDefined(scope.deadlineMs, more.deadlineMs),
    deadline: minDefined(scope.deadline, more.deadline),
    signal: anySignal(scope.signal, more.signal),
    meta: mergeMeta(mergeMeta(scope.meta, more.meta), criticalityMeta(more.criticality)),
  };
}

/**
 * Resolves one call's deadline, signal and metadata. A relative deadline
 * comes from the call, else the scope, else the client default; the
 * stricter of the call's and the scope's wins, and absolute deadlines cap it.
 */
export function resolveCall(
  scope: CallScope,
  options: CallOptions | undefined,
  now: number,
  defaultDeadlineMs: number,
  baseMeta: Metadata | undefined,
): ResolvedCall {
  const relative = minDefined(scope.deadlineMs, options?.deadlineMs) ?? defaultDeadlineMs;
  const deadline = minDefined(now + relative, minDefined(scope.deadline, options?.deadline))!;
  return {
    deadline,
    signal: anySignal(scope.signal, options?.signal),
    meta: mergeMeta(
      mergeMeta(mergeMeta(baseMeta, scope.meta), options?.meta),
      criticalityMeta(options?.criticality),
    ),
  };
}

/** One frozen metadata object per criticality, so setting one costs no allocation beyond the merge. */
const CRITICALITY_META = {
  critical: Object.freeze({ [MetaKey.CRITICALITY]: 'critical' }),
  default: Object.freeze({ [MetaKey.CRITICALITY]: 'default' }),
  sheddable: Object.freeze({ [MetaKey.CRITICALITY]: 'sheddable' }),
} as const satisfies Record<Criticality, Metadata>;

function criticalityMeta(value: Criticality | undefined): Metadata | undefined {
  if (value === undefined) return undefined;
  if (!isCriticality(value)) {
    throw new ClientConfigError(
      'ERR_COURIER_CLIENT_OPTIONS',
      `Courier criticality must be 'critical', 'default' or 'sheddable', got ${JSON.stringify(value)}`,
    );
  }
  return CRITICALITY_META[value];
}

function minDefined(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}

function anySignal(a: AbortSignal | undefined, b: AbortSignal | undefined): AbortSignal | undefined {
  if (a === undefined || a === b) return b;
  if (b === undefined) return a;
  return AbortSignal.any([a, b]);
}

function mergeMeta(a: Metadata | undefined, b: Metadata | undefined): Metadata | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return { ...a, ...b };
}
