/**
 * The multi-host scenario's client, run on its own host (network namespace)
 * by multihost.ts. Usage: multihost-client.ts <json settings>
 *
 * Finds the instances through DNS SRV, keeps the suite's load on them, cuts
 * one instance off the network (`ip -n <bridge> link set <port> down`, run
 * from here so the figures share one clock), heals it, and writes one
 * `report` line: the figures, when the cut instance was declared dead and
 * when it was back, and which instance served calls after the heal.
 */
import { execFile } from 'node:child_process';
import diagnosticsChannel from 'node:diagnostics_channel';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { type ClientEndpointState, CoreChannels, createClient, dnsSrv } from '@courier/core';
import { Load } from './load.js';
import { figures } from './report.js';
import { faults } from './service.js';
import { TRANSPORT } from './settings.js';

export interface MultiHostSettings {
  readonly srv: string;
  /** How many instances discovery must find. */
  readonly instances: number;
  /** The endpoint the partition cuts off, as discovery names it. */
  readonly victim: string;
  readonly cut: readonly string[];
  readonly heal: readonly string[];
  readonly inflight: number;
  readonly workMs: number;
  /** Load before the cut, length of the partition, and at most how long to wait for recovery, in ms. */
  readonly beforeMs: number;
  readonly partitionMs: number;
  readonly recoverMs: number;
}

const settings = JSON.parse(process.argv[2] ?? '') as MultiHostSettings;
const run = promisify(execFile);
const states: { at: number; state: string }[] = [];
diagnosticsChannel.subscribe(CoreChannels.clientEndpoint, (m) => {
  const e = m as ClientEndpointState;
  if (e.endpoint === settings.victim) states.push({ at: performance.now(), state: e.state });
});

const client = createClient(faults, {
  discovery: dnsSrv(settings.srv, { refreshMs: 500 }),
  transport: TRANSPORT,
});
const ready = async () => {
  const started = performance.now();
  for (;;) {
    const endpoints = client.$endpoints();
    if (endpoints.length === settings.instances && endpoints.every((e) => e.state === 'alive')) return;
    if (performance.now() - started > 20_000) {
      throw new Error(`discovery found ${JSON.stringify(endpoints)} after 20 s`);
    }
    await delay(10);
  }
};
await ready();

const load = new Load(client, settings.inflight, settings.workMs);
await delay(settings.beforeMs);
const cutAt = performance.now();
await run('ip', settings.cut);
await delay(settings.partitionMs);
const healAt = performance.now();
await run('ip', settings.heal);
// Recovered once the cut instance answers again; then a little more load on the whole set.
const back = async () => {
  while (performance.now() - healAt < settings.recoverMs) {
    if (client.$endpoints().find((e) => e.endpoint === settings.victim)?.state === 'alive') return;
    await delay(5);
  }
};
await back();
const backAt = performance.now();
await delay(300);
let hung: string | undefined;
await load.stop().catch((err: Error) => {
  hung = err.message;
});
// Which instances serve calls after the heal: the cut one must be among them.
const served: Record<string, number> = {};
await Promise.all(
  Array.from({ length: 60 }, async () => {
    const label = await client.read({ ms: 5 }, { deadlineMs: 500 }).catch(() => 'failed');
    served[label] = (served[label] ?? 0) + 1;
  }),
);
await client.$close();

const failovers = load.failovers.filter((f) => f.from === settings.victim).map((f) => f.at);
const f = figures('multi-host partition', load.outcomes, cutAt, failovers, [], load.ends, hung);
const dead = states.find((s) => s.at >= cutAt && s.state === 'dead');
const alive = states.find((s) => s.at >= healAt && s.state === 'alive');
process.stdout.write(
  `${JSON.stringify({
    event: 'report',
    figures: f,
    partitionMs: healAt - cutAt,
    deadAfterMs: dead === undefined ? null : dead.at - cutAt,
    backAfterMs: alive === undefined ? null : alive.at - healAt,
    recovered: backAt - healAt < settings.recoverMs,
    served,
  })}\n`,
);
process.exit(0);
