import type { Discovery } from './discovery.js';

/**
 * A fixed list of endpoints. `createClient(def, { endpoints })` is the same
 * thing, connected at once; this form is for code that takes any Discovery.
 *
 * @example
 * createClient(playlist, { discovery: staticEndpoints(['tcp://127.0.0.1:7001']) });
 */
export function staticEndpoints(endpoints: readonly string[]): Discovery {
  const list = [...endpoints];
  return { resolve: async () => list };
}
