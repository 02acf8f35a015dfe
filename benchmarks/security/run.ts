/**
 * The cost of CURVE: the transport benchmark (benchmarks/transport/run.ts,
 * courier and the raw zeromq.js baseline in separate client and server
 * processes over loopback TCP) run twice in a row, plaintext then with CURVE
 * keys (curve-env.ts), and compared cell by cell.
 *
 *   npm run bench:security [-- <transport bench options>]
 *
 * Default cells: 64 B and 1 KiB at 256 in flight, 1 KiB at 1 in flight; two
 * rounds each. The raw baseline runs CURVE without ZAP (libzmq's crypto
 * alone); Courier adds the ZAP handler and the caller proof, both once per
 * connection, never per request. Last line:
 *   curve_vs_plain_courier=<req/s ratio> curve_vs_plain_raw=<ratio> courier_vs_raw_curve=<ratio>
 * (the lowest across the 256-in-flight cells).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as zmq from 'zeromq';
import { CURVE_ENV } from './curve-env.js';

interface Row {
  impl: string;
  bodyBytes: number;
  inflight: number;
  rps: number;
  latencyUs: { p50: number };
  clientCpuUsPerRequest: number;
  serverCpuUsPerRequest: number;
}

const root = fileURLToPath(new URL('../../', import.meta.url));
const passed = process.argv.slice(2);
const args = passed.length > 0 ? passed : ['--cells', '64x256,1024x256,1024x1', '--rounds', '2'];

function runTransport(curve: boolean): Promise<Row[]> {
  const env = { ...process.env };
  if (curve) env[CURVE_ENV] = JSON.stringify({ server: zmq.curveKeyPair(), client: zmq.curveKeyPair() });
  else delete env[CURVE_ENV];
  return new Promise((resolve, reject) => {
    const child = spawn(`${root}node_modules/.bin/tsx`, ['benchmarks/transport/run.ts', '--json', ...args], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`transport benchmark exited with ${code}`));
      try {
        const json = out.slice(out.indexOf('{'), out.lastIndexOf('}') + 1);
        resolve((JSON.parse(json) as { results: Row[] }).results);
      } catch (err) {
        reject(err);
      }
    });
  });
}

process.stderr.write('bench:security: plaintext run\n');
const plain = await runTransport(false);
process.stderr.write('bench:security: CURVE run\n');
const curve = await runTransport(true);

const find = (rows: Row[], impl: string, r: Row) =>
  rows.find((x) => x.impl === impl && x.bodyBytes === r.bodyBytes && x.inflight === r.inflight);
const fmt = (n: number, d = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

const lines = [
  '| cell | impl | plain req/s | CURVE req/s | CURVE/plain | plain CPU µs/req (client+server) | CURVE CPU µs/req | p50 µs plain → CURVE |',
  '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
];
const worst = { courier: Infinity, raw: Infinity, vsRaw: Infinity };
for (const p of plain) {
  const c = find(curve, p.impl, p);
  if (c === undefined) continue;
  const ratio = c.rps / p.rps;
  if (p.inflight >= 256) {
    if (p.impl === 'courier') worst.courier = Math.min(worst.courier, ratio);
    if (p.impl === 'raw') worst.raw = Math.min(worst.raw, ratio);
    const rawCurve = find(curve, 'raw', p);
    if (p.impl === 'courier' && rawCurve !== undefined)
      worst.vsRaw = Math.min(worst.vsRaw, c.rps / rawCurve.rps);
  }
  const cpu = (r: Row) => r.clientCpuUsPerRequest + r.serverCpuUsPerRequest;
  lines.push(
    `| ${p.bodyBytes} B × ${p.inflight} | ${p.impl} | ${fmt(p.rps)} | ${fmt(c.rps)} | ${fmt(ratio, 3)} | ${fmt(cpu(p), 1)} | ${fmt(cpu(c), 1)} | ${fmt(p.latencyUs.p50)} → ${fmt(c.latencyUs.p50)} |`,
  );
}
process.stdout.write(`${lines.join('\n')}\n\n`);
process.stdout.write(
  `curve_vs_plain_courier=${fmt(worst.courier, 3)} curve_vs_plain_raw=${fmt(worst.raw, 3)} courier_vs_raw_curve=${fmt(worst.vsRaw, 3)}\n`,
);
