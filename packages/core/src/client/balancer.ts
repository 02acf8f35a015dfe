/** What the balancer needs to know about an endpoint. */
export interface Balanced {
  readonly usable: boolean;
  readonly outstanding: number;
}

/**
 * Power of two choices on least outstanding calls (Mitzenmacher): sample two
 * usable endpoints at random and take the less busy. It spreads load almost
 * as well as scanning for the least busy endpoint, without herding every
 * caller onto the same one. Endpoints in `avoid` (those a call already
 * tried) are skipped while any other is usable.
 */
export function powerOfTwoChoices<T extends Balanced>(
  items: readonly T[],
  avoid: ReadonlySet<T> | undefined,
  random: () => number,
): T | undefined {
  // One endpoint (the usual client): it, if usable, tried or not; no arrays made per call.
  if (items.length === 1) return items[0]!.usable ? items[0] : undefined;
  let candidates = items.filter((item) => item.usable && !avoid?.has(item));
  if (candidates.length === 0 && avoid !== undefined && avoid.size > 0) {
    candidates = items.filter((item) => item.usable);
  }
  const n = candidates.length;
  if (n <= 1) return candidates[0];
  const i = index(random, n);
  let j = index(random, n - 1);
  if (j >= i) j++;
  const a = candidates[i]!;
  const b = candidates[j]!;
  return b.outstanding < a.outstanding ? b : a;
}

function index(random: () => number, n: number): number {
  return Math.min(n - 1, Math.floor(random() * n));
}
