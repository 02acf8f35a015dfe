import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { AnyService } from '../definition.js';
import { type ComputeLoadFailure, ComputeStartError, ServerConfigError } from '../errors.js';
import { workerExecArgv } from './exec-argv.js';
import type { ComputeImplementation, ComputePool } from './pool-api.js';
import { type MethodPlan, planMethods } from './targets.js';
import { ComputeTaskPool } from './task-pool.js';
import type { ProbeOutcome, Target, WorkerInit, WorkerTask } from './worker-protocol.js';

/** Options of the compute pool a service owns (`serve(def, { pool })`). */
export interface ComputePoolOptions {
  /** Most worker threads. Each runs one task at a time. @default os.availableParallelism() */
  readonly size?: number;
  /**
   * Most tasks waiting for a free worker; a task beyond that is refused at
   * once with OVERLOADED (it never ran, so an idempotent call may be retried
   * elsewhere). @default 32 × size
   */
  readonly maxQueue?: number;
  /**
   * A worker idle this long exits; one always stays, and others start again
   * on demand. @default 30000
   */
  readonly idleTimeoutMs?: number;
  /**
   * Data every worker receives once, at start, passed to each compute
   * function as its second argument. It is structured-cloned into each
   * worker: SharedArrayBuffers (and typed arrays over them) are shared, not
   * copied, so large read-only tables (models, matrices) belong in them.
   */
  readonly shared?: unknown;
}

/**
 * Starts the worker pool for a service's compute methods, and checks in a
 * worker that every one of them loads (module, export, native addon). If one
 * does not, the workers are stopped and a ComputeStartError names each
 * failure; a native addon's failure names the command that builds it.
 *
 * @example
 * const pool = await createComputePool(recommend, { size: 2, shared: embeddings });
 * const matches = await pool.run('similar', { query, k: 10 }, { signal, deadline });
 * await pool.close();
 */
export async function createComputePool(
  definition: AnyService,
  options: ComputePoolOptions = {},
): Promise<ComputePool> {
  const service = definition.name;
  const size = positiveInt('size', options.size ?? availableParallelism());
  const maxQueue = nonNegativeInt('maxQueue', options.maxQueue ?? 32 * size);
  const idleTimeoutMs = nonNegativeInt('idleTimeoutMs', options.idleTimeoutMs ?? 30_000);
  const plans = planMethods(definition);
  const all = plans.flatMap((p) => (p.fallback === undefined ? [p.primary] : [p.primary, p.fallback]));
  const entry = new URL(`./worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url).href;
  const init: WorkerInit = { preload: all, shared: options.shared };
  const piscina = new Piscina({
    filename: entry,
    minThreads: 1,
    maxThreads: size,
    idleTimeout: idleTimeoutMs,
    // Ordering and the queue bound are ours (see ComputeTaskPool): Piscina
    // only ever holds the few tasks handed to it while a worker starts. Its
    // default queue sends a task it cannot place to the tail; this does not.
    stricterFIFO: true,
    workerData: init,
    // An idle worker waits for tasks without blocking its event loop, so the
    // modules it preloads at start finish loading before its first task.
    atomics: 'async',
    execArgv: workerExecArgv([entry, ...all.map((t) => t.href)]),
    recordTiming: false,
  });
  // A worker failing between tasks emits 'error'; unhandled, it would crash the process.
  piscina.on('error', (err: Error) => process.emitWarning(err, { code: 'COURIER_COMPUTE_WORKER' }));

  let outcome: ProbeOutcome;
  try {
    outcome = (await piscina.run({ kind: 'probe', targets: all } satisfies WorkerTask)) as ProbeOutcome;
  } catch (cause) {
    await piscina.destroy();
    throw new ComputeStartError(
      'ERR_COURIER_COMPUTE_WORKER',
      service,
      `service ${service} cannot start: its compute workers failed to start: ${(cause as Error).message}`,
      [],
      { cause },
    );
  }
  const loadError = (target: Target) => {
    const result = outcome[all.indexOf(target)];
    return result === undefined || result.ok ? undefined : result.message;
  };

  const targets = new Map<string, Target>();
  const implementations: Record<string, ComputeImplementation> = {};
  const failures: ComputeLoadFailure[] = [];
  for (const plan of plans) {
    const reason = loadError(plan.primary);
    if (reason === undefined) {
      targets.set(plan.method, plan.primary);
      implementations[plan.method] = plan.primary.native ? 'native' : 'module';
    } else if (plan.fallback !== undefined && loadError(plan.fallback) === undefined) {
      targets.set(plan.method, plan.fallback);
      implementations[plan.method] = 'fallback';
      process.emitWarning(
        `${service}.${plan.method}: ${describe(plan.primary)} failed to load (${reason}); using the declared fallback ${describe(plan.fallback)}. Build the addon with: ${plan.build}`,
        { code: 'COURIER_COMPUTE_FALLBACK' },
      );
    } else {
      failures.push(failure(plan, plan.primary, reason));
      if (plan.fallback !== undefined) failures.push(failure(plan, plan.fallback, loadError(plan.fallback)!));
    }
  }
  if (failures.length > 0) {
    await piscina.destroy();
    throw ComputeStartError.fromFailures(service, failures);
  }
  return new ComputeTaskPool(service, piscina, targets, implementations, size, maxQueue);
}

function failure(plan: MethodPlan, target: Target, reason: string): ComputeLoadFailure {
  return {
    method: plan.method,
    path: pathOf(target),
    export: target.export,
    native: target.native,
    reason,
    build: target.native ? plan.build : undefined,
  };
}

function describe(target: Target): string {
  return `${target.native ? 'native addon ' : ''}${pathOf(target)} (export "${target.export}")`;
}

function pathOf(target: Target): string {
  return decodeURIComponent(new URL(target.href).pathname);
}

function positiveInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new ServerConfigError(
      'ERR_COURIER_SERVER_OPTIONS',
      `compute pool option ${name} must be a positive integer, got ${value}`,
    );
  }
  return value;
}

function nonNegativeInt(name: string, value: number): number {
  if (!(Number.isInteger(value) && value >= 0) && value !== Number.POSITIVE_INFINITY) {
    throw new ServerConfigError(
      'ERR_COURIER_SERVER_OPTIONS',
      `compute pool option ${name} must be a non-negative integer, got ${value}`,
    );
  }
  return value;
}
