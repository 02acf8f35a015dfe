import { expect, it } from 'vitest';
import { multiHostUnavailable, runMultiHost } from './multihost.js';
import { formatReport } from './report-extra.js';
import { SHORT } from './scenarios.js';

const unavailable = await multiHostUnavailable();
if (unavailable !== undefined) console.log(`SKIPPED the multi-host fault scenario: ${unavailable}`);

/**
 * The multi-host scenario's short run: instances, dnsmasq and the client in
 * separate network namespaces, one instance partitioned and healed under
 * load. Figures are printed, never asserted.
 */
it.skipIf(unavailable !== undefined)(
  'keeps every invariant through a partition across hosts found by DNS SRV, and recovers after the heal',
  async () => {
    const r = await runMultiHost(SHORT);
    console.log(formatReport(r));
    expect(r.figures.violations).toEqual([]);
    expect(r.figures.outcomes.OK).toBeGreaterThan(0);
  },
  45_000,
);
