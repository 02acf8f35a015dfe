/**
 * The entry point of every compute-pool worker (Piscina imports it and calls
 * its default export once per task). It loads the implementations named by
 * the service's `compute` specs, calls them with the task's input and the
 * pool's shared data, and returns results and errors in a form that survives
 * the thread boundary. Authors never see this file: they write a plain
 * function.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { workerData } from 'node:worker_threads';
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { runWithParent } from '../tracing/worker-context.js';
import { prepareTransfer } from './transfer.js';
import {
  type ProbeOutcome,
  type RunOutcome,
  type Target,
  toWireError,
  type WorkerInit,
  type WorkerTask,
} from './worker-protocol.js';

type ComputeFn = (input: unknown, shared: unknown) => unknown;

const init = (workerData ?? { preload: [], shared: undefined }) as WorkerInit;
const require = createRequire(import.meta.url);
const loaded = new Map<string, Promise<ComputeFn>>();

function load(target: Target): Promise<ComputeFn> {
  const key = `${target.native ? 'native' : 'module'}:${target.href}#${target.export}`;
  let fn = loaded.get(key);
  if (fn === undefined) {
    fn = resolve(target);
    loaded.set(key, fn);
  }
  return fn;
}

async function resolve(target: Target): Promise<ComputeFn> {
  const mod = (
    target.native ? require(fileURLToPath(target.href)) : await importModule(target.href)
  ) as Record<string, unknown>;
  // A CommonJS module imported as ESM keeps its exports on `default`.
  const fn = mod[target.export] ?? (mod.default as Record<string, unknown> | undefined)?.[target.export];
  if (typeof fn !== 'function') {
    const found = Object.keys(mod).join(', ') || 'none';
    throw new TypeError(`has no function export "${target.export}" (exports: ${found})`);
  }
  return fn as ComputeFn;
}

/**
 * `import()`, except for TypeScript that this thread's ESM loader cannot
 * read. On Node 20, tsx installs its ESM hooks on the main thread only, while
 * its CommonJS hook works in every thread; `require` then compiles the module
 * (top-level await aside). This file has no top-level await for that reason:
 * Piscina requires it when it can.
 */
async function importModule(href: string): Promise<unknown> {
  try {
    return await import(href);
  } catch (err) {
    if ((err as { code?: string }).code !== 'ERR_UNKNOWN_FILE_EXTENSION' || !/\.[cm]?tsx?$/i.test(href))
      throw err;
    return require(fileURLToPath(href));
  }
}

// Start loading at once, so a first task does not wait for it. A failure is
// kept (and reported by the probe or task that needs the target).
for (const target of init.preload) load(target).catch(noop);

function noop(): void {}

export default async function computeTask(task: WorkerTask): Promise<unknown> {
  if (task.kind === 'probe') return probe(task.targets);
  let fn: ComputeFn;
  try {
    fn = await load(task.target);
  } catch (err) {
    return { ok: false, error: toWireError(err) } satisfies RunOutcome;
  }
  let value: unknown;
  try {
    const { input, traceparent } = task;
    value = await (traceparent === undefined
      ? fn(input, init.shared)
      : runWithParent(traceparent, () => fn(input, init.shared)));
  } catch (err) {
    return { ok: false, error: toWireError(err) } satisfies RunOutcome;
  }
  const prepared = prepareTransfer(value);
  const outcome: RunOutcome = { ok: true, value: prepared.value };
  if (prepared.transferList.length === 0) return outcome;
  return move({ [transferableSymbol]: prepared.transferList, [valueSymbol]: outcome });
}

async function probe(targets: readonly Target[]): Promise<ProbeOutcome> {
  return Promise.all(
    targets.map((target) =>
      load(target).then(
        () => ({ ok: true as const }),
        (err: unknown) => ({ ok: false as const, message: reasonOf(err) }),
      ),
    ),
  );
}

/** A load failure's message, without Node's "Require stack" listing (it names only this file). */
function reasonOf(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\nRequire stack:')[0]!;
}
