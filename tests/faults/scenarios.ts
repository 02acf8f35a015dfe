import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { createClient } from '@courier/core';
import { doubleExecutions, type Instance, startCluster } from './cluster.js';
import { FaultWatch } from './detect.js';
import { Load } from './load.js';
import { type OverloadMarks, overloadChecks, overloadFigures } from './overload.js';
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
  /** Whether timing targets (the overload target) are checked, not only the invariants. */
  readonly targets: boolean;
}

export const FULL: Scale = { durationMs: 3000, inflight: 200, workMs: 5, targets: true };
export const SHORT: Scale = { durationMs: 1000, inflight: 60, workMs: 5, targets: false };

/**
 * What a scenario does to the cluster, a third of the way into the load;
 * resolves when done, with the overload scenario's time marks.
 */
type Fault = (
  instances: Instance[],
  scale: Scale,
  extraLoad: (inflight: number) => Load,
) => Promise<OverloadMarks | undefined>;

/** The `limited` method's capacity per instance: 8 running (service.ts), 10 ms each. */
const LIMITED_RUNNING = 8;
const LIMITED_WORK_MS = 10;

export const SCENARIOS: Record<string, Fault> = {
  'kill -9': async (instances) => {
    instances[0]!.signal('SIGKILL');
    await instances[0]!.exited();
    return undefined;
  },
  'SIGSTOP/SIGCONT': async (instances, scale) => {
    instances[0]!.signal('SIGSTOP');
    await delay(scale.durationMs / 3);
    instances[0]!.signal('SIGCONT');
    return undefined;
  },
  // Half the `limited` method's capacity (3 instances x 8 running x 10 ms =
  // 2,400 calls/s) for a third of the run, then 200 more in flight (about
  // 10x that capacity: ~20,000/s asked) for a third, then half again for a
  // sixth, beside the usual load: the half-load p99 is the yardstick of the
  // overload p99, and the last phase shows when shedding stops.
  '10x overload': async (instances, scale, extraLoad) => {
    const slots = instances.length * LIMITED_RUNNING;
    const halfAt = performance.now();
    const half = extraLoad(slots / 2);
    await delay(scale.durationMs / 3);
    const burstAt = performance.now();
    const burst = extraLoad(200);
    await delay(scale.durationMs / 3);
    const dropAt = performance.now();
    await burst.stop();
    await delay(scale.durationMs / 6);
    const endAt = performance.now();
    await half.stop();
    return { halfAt, burstAt, dropAt, endAt, slots };
  },
  'rolling restart': async (instances) => {
    for (const instance of instances) {
      instance.signal('SIGTERM');
      await instance.exited();
      await instance.start();
    }
    return undefined;
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
    // The overload scenario keeps the usual load small: its figures are the
    // `limited` method's latencies, which a client process saturated by its
    // own 200 calls in flight would inflate by its event loop's lag alone.
    const base = name === '10x overload' ? Math.ceil(scale.inflight / 10) : scale.inflight;
    const load = new Load(client, base, scale.workMs);
    const watch = new FaultWatch(instances[0]!.bind);
    await delay(scale.durationMs / 3);
    const faultAt = performance.now();
    watch.start();
    const extra: Load[] = [];
    const faulted = fault(instances, scale, (inflight) => {
      const l = new Load(client, inflight, LIMITED_WORK_MS, 'limited');
      extra.push(l);
      return l;
    });
    await delay((2 * scale.durationMs) / 3);
    const marks = await faulted;
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
    const watched = { ...f, deadAfterMs: watch.deadAfter(faultAt), loopDelayMaxMs: watch.loopDelayMaxMs };
    if (marks === undefined) return watched;
    const overload = overloadFigures(
      extra.flatMap((l) => l.outcomes),
      marks,
    );
    return {
      ...watched,
      overload,
      violations: [...f.violations, ...overloadChecks(overload, scale.targets)],
    };
  } finally {
    await client.$close();
    await Promise.all(instances.map((i) => i.stop()));
  }
}
