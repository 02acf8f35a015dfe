import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { createClient } from '@courier/core';
import { doubleExecutions, type Instance, startCluster } from './cluster.js';
import { Load } from './load.js';
import { type Figures, figures } from './report.js';
import { faults } from './service.js';
import { TRANSPORT } from './settings.js';

export interface Scale {
  /** How long the load runs, in ms; the fault comes a third of the way in. */
  readonly durationMs: number;
  /** Calls kept in flight. */
  readonly inflight: number;
  /** Work per call at the server, in ms. */
  readonly workMs: number;
}

export const FULL: Scale = { durationMs: 3000, inflight: 200, workMs: 5 };
export const SHORT: Scale = { durationMs: 1000, inflight: 60, workMs: 5 };

/** What a scenario does to the cluster, a third of the way into the load; resolves when done. */
type Fault = (instances: Instance[], scale: Scale) => Promise<void>;

export const SCENARIOS: Record<string, Fault> = {
  'kill -9': async (instances) => {
    instances[0]!.signal('SIGKILL');
    await instances[0]!.exited();
  },
  'SIGSTOP/SIGCONT': async (instances, scale) => {
    instances[0]!.signal('SIGSTOP');
    await delay(scale.durationMs / 3);
    instances[0]!.signal('SIGCONT');
  },
  'rolling restart': async (instances) => {
    for (const instance of instances) {
      instance.signal('SIGTERM');
      await instance.exited();
      await instance.start();
    }
  },
};

export async function runScenario(name: string, scale: Scale): Promise<Figures> {
  const fault = SCENARIOS[name]!;
  const instances = await startCluster(3);
  const client = createClient(faults, {
    endpoints: instances.map((i) => i.bind),
    transport: TRANSPORT,
  });
  try {
    // Calls go out once every endpoint has been heard from.
    while (client.$endpoints().some((e) => e.state !== 'alive')) await delay(10);
    const load = new Load(client, scale.inflight, scale.workMs);
    await delay(scale.durationMs / 3);
    const faultAt = performance.now();
    const faulted = fault(instances, scale);
    await delay((2 * scale.durationMs) / 3);
    await faulted;
    let hung: string | undefined;
    await load.stop().catch((err: Error) => {
      hung = err.message;
    });
    for (const i of instances) i.collect();
    return figures(
      name,
      load.outcomes,
      faultAt,
      load.failovers,
      doubleExecutions(instances),
      load.ends,
      hung,
    );
  } finally {
    await client.$close();
    await Promise.all(instances.map((i) => i.stop()));
  }
}
