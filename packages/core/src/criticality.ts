import { type Metadata, MetaKey } from '@courier/transport';

/**
 * How much a call matters when a server must shed load (Google SRE,
 * "Handling Overload"): an overloaded server sheds `sheddable` calls before
 * `default` ones, and those before `critical` ones. Carried in the request
 * metadata key `criticality` (docs/protocol.md, section 6.5), and passed on
 * by `ctx.client()` to the calls a handler makes, as the deadline is.
 */
export type Criticality = 'critical' | 'default' | 'sheddable';

/** Queue ranks, most important first; the bulkhead keeps one queue per rank. */
export const CRITICAL = 0;
export const DEFAULT = 1;
export const SHEDDABLE = 2;
export type CriticalityRank = typeof CRITICAL | typeof DEFAULT | typeof SHEDDABLE;

/** A request's rank: anything but the two known non-default values (absent, unknown, misspelt) is `default`. */
export function criticalityRank(meta: Metadata | undefined): CriticalityRank {
  const value = meta?.[MetaKey.CRITICALITY];
  if (value === undefined) return DEFAULT;
  if (value === 'critical') return CRITICAL;
  if (value === 'sheddable') return SHEDDABLE;
  return DEFAULT;
}

const VALUES: ReadonlySet<string> = new Set<Criticality>(['critical', 'default', 'sheddable']);

export function isCriticality(value: unknown): value is Criticality {
  return typeof value === 'string' && VALUES.has(value);
}
