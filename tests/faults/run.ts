/**
 * The fault suite: three instances in separate processes under load, one
 * fault per scenario, figures printed and invariants checked; exits 1 on a
 * violation. `npm run faults`; FAULTS_SHORT=1 for the short run CI uses,
 * FAULTS_ONLY=<scenario> for one scenario.
 */
import { format } from './report.js';
import { FULL, runScenario, SCENARIOS, SHORT } from './scenarios.js';

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
process.exitCode = failed ? 1 : 0;
