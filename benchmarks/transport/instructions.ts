/**
 * Instructions per request, Courier against the raw zeromq.js baseline,
 * counted by valgrind (callgrind) instead of timed: the same code gives
 * about the same count (within 3-5%, timers and JIT timing still vary) on a
 * busy or a quiet machine, where timings on these VMs move by 5-10% from run
 * to run. A change of a few thousand instructions per request shows here.
 *
 *   npm run bench:instructions [-- --body 64] [-- --inflight 256] [-- --requests 200000] [-- --built] [-- --core]
 *
 * `--built` runs Courier's built JavaScript (packages/\*\/dist, after
 * `npm run build`) instead of its TypeScript sources through tsx.
 * `--core` counts the service API instead of the bare transport on the
 * Courier side: benchmarks/core/inproc-core.ts, a zod-validated service
 * through serve/createClient, `--body` bytes as a string field.
 * Each implementation runs inproc-echo.ts twice under valgrind, with 50,000
 * and with 50,000 + `requests` requests; the difference divided by
 * `requests` leaves out start-up and JIT warm-up. Client and server share one
 * process and inproc has no I/O thread work, so the count is the JavaScript,
 * V8 and zeromq.js work per request of both sides. It takes a few minutes
 * (valgrind runs about 50x slower); the two implementations run in parallel.
 * Needs valgrind (`apt-get install -y valgrind`).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { TSX_EXEC_ARGV } from '../lib/child-process.js';
import { formatInt } from '../lib/table.js';
import { IMPLS, type Impl } from './echo.js';

const BASE_REQUESTS = 50_000;
const script = join(fileURLToPath(new URL('.', import.meta.url)), 'inproc-echo.ts');
const coreScript = fileURLToPath(new URL('../core/inproc-core.ts', import.meta.url));

const { values } = parseArgs({
  options: {
    body: { type: 'string', default: '64' },
    inflight: { type: 'string', default: '256' },
    requests: { type: 'string', default: '200000' },
    built: { type: 'boolean', default: false },
    core: { type: 'boolean', default: false },
  },
});
const body = Number(values.body);
const inflight = Number(values.inflight);
const requests = Number(values.requests);
if (!(body >= 0 && inflight > 0 && requests > 0))
  throw new Error(`invalid options: ${JSON.stringify(values)}`);

/** Instructions valgrind counted for one run of inproc-echo.ts. */
function count(impl: Impl, n: number): Promise<number> {
  const args = [
    '--tool=callgrind',
    '--callgrind-out-file=/dev/null',
    process.execPath,
    // Without the courier-source condition, @courier/* resolve to their dist/.
    ...(values.built ? TSX_EXEC_ARGV.filter((a) => a !== '--conditions=courier-source') : TSX_EXEC_ARGV),
    ...(values.core && impl === 'courier' ? [coreScript] : [script, impl]),
    String(n),
    String(inflight),
    String(body),
  ];
  return new Promise((resolve, reject) => {
    execFile('valgrind', args, { maxBuffer: 16 << 20 }, (err, _stdout, stderr) => {
      if (err) {
        const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
        reject(
          new Error(
            missing ? 'valgrind is not installed (apt-get install -y valgrind)' : `${err.message}\n${stderr}`,
          ),
        );
        return;
      }
      const collected = /Collected : (\d+)/.exec(stderr);
      if (collected === null) reject(new Error(`no instruction count in valgrind's output:\n${stderr}`));
      else resolve(Number(collected[1]));
    });
  });
}

async function perRequest(impl: Impl): Promise<number> {
  const base = await count(impl, BASE_REQUESTS);
  const more = await count(impl, BASE_REQUESTS + requests);
  return (more - base) / requests;
}

process.stderr.write(
  `counting instructions: ${body} B bodies, ${inflight} in flight, ${formatInt(requests)} requests, ` +
    `Courier from its ${values.built ? 'build' : 'sources'} (a few minutes)\n`,
);
const [courier, raw] = await Promise.all(IMPLS.map(perRequest));
const name = values.core ? 'core' : 'courier';
console.log(`${name}:${values.core ? '   ' : ''} ${formatInt(courier!)} instructions/request`);
console.log(`raw:     ${formatInt(raw!)} instructions/request`);
console.log(`${name}_vs_raw_instructions=${(courier! / raw!).toFixed(3)}`);
