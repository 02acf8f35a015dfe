/**
 * The fault suite: three instances in separate processes under load, one
 * fault per scenario, then the three-hop chain and the multi-host partition
 * (skipped, with the reason printed, where namespaces are not allowed);
 * figures printed and invariants checked; exits 1 on a violation.
 * `npm run faults`; FAULTS_SHORT=1 for the short run CI uses,
 * FAULTS_ONLY=<scenario> for one scenario.
 */
import { runChain } from './chain.js';
import { multiHostUnavailable, runMultiHost } from './multihost.js';
import { format } from './report.js';
import { formatReport, type Report } from './report-extra.js';
import { FULL, runScenario, SCENARIOS, type Scale, SHORT } from './scenarios.js';

const scale = process.env.FAULTS_SHORT === '1' ? SHORT : FULL;
console.log(
  `fault suite: ${scale.inflight} in flight, deadline 500 ms, ${scale.durationMs} ms per scenario, ${new Date().toISOString()}`,
);
let failed = false;
// FAULTS_ONLY="kill -9" runs one scenario.
const only = process.env.FAULTS_ONLY;
for (const name of Object.keys(SCENARIOS).filter((n) => only === undefined || n === only)) {
  const f = await runScenario(name, scale);
  console.log(format(f));
  if (f.violations.length > 0) failed = true;
}
// Scenarios with a set-up of their own (more processes, more hosts).
const more: Record<string, (scale: Scale) => Promise<Report | string>> = {
  'three-hop chain': runChain,
  'multi-host partition': async (s) => (await multiHostUnavailable()) ?? runMultiHost(s),
};
for (const [name, run] of Object.entries(more).filter(([n]) => only === undefined || n === only)) {
  const r = await run(scale);
  if (typeof r === 'string') {
    console.log(`${name}: SKIPPED, ${r}`);
    continue;
  }
  console.log(formatReport(r));
  if (r.figures.violations.length > 0) failed = true;
}
process.exitCode = failed ? 1 : 0;
