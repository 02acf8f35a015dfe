import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { createClient } from '@courier/core';
import { doubleExecutions, type Instance, startCluster } from './cluster.js';
import { FaultWatch } from './detect.js';
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
type Fault = (instances: Instance[], scale: Scale, extraLoad: (inflight: number) => Load) => Promise<void>;

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
  // About 10x what the `limited` method's static limits serve (3 instances
  // x 8 running x 10 ms = 2,400 calls/s; 200 in flight ask for ~20,000/s),
  // for a third of the run, beside the usual load.
  '10x overload': async (_instances, scale, extraLoad) => {
    const burst = extraLoad(scale.inflight);
    await delay(scale.durationMs / 3);
    await burst.stop();
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
    const watch = new FaultWatch(instances[0]!.bind);
    await delay(scale.durationMs / 3);
    const faultAt = performance.now();
    watch.start();
    const extra: Load[] = [];
    const faulted = fault(instances, scale, (inflight) => {
      const l = new Load(client, inflight, 10, 'limited');
      extra.push(l);
      return l;
    });
    await delay((2 * scale.durationMs) / 3);
    await faulted;
    let hung: string | undefined;
    await load.stop().catch((err: Error) => {
      hung = err.message;
    });
    watch.stop();
    for (const i of instances) i.collect();
    // The main load's listener saw every call's end, the extra loads' too.
    const ends = load.ends;
    const f = figures(
      name,
      [...load.outcomes, ...extra.flatMap((l) => l.outcomes)],
      faultAt,
      // Fail-over is measured on calls that left the faulted instance
      // (instances[0], the first one restarted); under overload, any.
      load.failovers.filter((f) => name === '10x overload' || f.from === instances[0]!.bind).map((f) => f.at),
      doubleExecutions(instances),
      ends,
      hung,
    );
    return { ...f, deadAfterMs: watch.deadAfter(faultAt), loopDelayMaxMs: watch.loopDelayMaxMs };
  } finally {
    await client.$close();
    await Promise.all(instances.map((i) => i.stop()));
  }
}
