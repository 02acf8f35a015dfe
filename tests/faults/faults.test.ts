import { expect, it } from 'vitest';
import { format } from './report.js';
import { runScenario, SCENARIOS, SHORT } from './scenarios.js';

/**
 * The fault suite's short run (FAULTS_SHORT scale): every scenario against
 * three real instance processes, checked for the suite's invariants. The
 * figures are printed, never asserted: timings belong to `npm run faults`.
 */
it.each(Object.keys(SCENARIOS))(
  'keeps every invariant through %s',
  async (name) => {
    const f = await runScenario(name, SHORT);
    console.log(format(f));
    expect(f.violations).toEqual([]);
    expect(f.calls).toBeGreaterThan(0);
    expect(f.outcomes.OK).toBeGreaterThan(0);
  },
  30_000,
);
