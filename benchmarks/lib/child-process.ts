import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Benchmark child processes: fork a TypeScript entry point, call functions in
 * it over the IPC channel, and make sure no child outlives the parent, whether
 * the parent finishes, throws, or is interrupted.
 *
 * The child side calls `serveParent(handlers)` and then `notifyReady(value)`;
 * the parent side `startChild<typeof handlers>(...)` gets a typed `call()`.
 *
 * @example
 * // child.ts
 * const handlers = { add: (p: { a: number; b: number }) => p.a + p.b };
 * export type Handlers = typeof handlers;
 * serveParent(handlers);
 * notifyReady({ pid: process.pid });
 *
 * // parent.ts
 * const child = await startChild<Handlers, { pid: number }>({ name: 'adder', script: 'child.ts' });
 * await child.call('add', { a: 1, b: 2 }); // 3
 * await child.stop();
 */

/** Node flags that let a child run the workspace's TypeScript sources directly. */
export const TSX_EXEC_ARGV: readonly string[] = ['--import', 'tsx', '--conditions=courier-source'];

// biome-ignore lint/suspicious/noExplicitAny: handler parameter types are checked at the call site via Params<>.
type AnyHandler = (params: any) => unknown;
/** The functions a child exposes to its parent. */
export type Handlers = Record<string, AnyHandler>;
type Params<F> = F extends (params: infer P) => unknown ? P : never;

type ToChild = { type: 'call'; id: number; method: string; params: unknown };
type ToParent =
  | { type: 'ready'; value: unknown }
  | { type: 'result'; id: number; ok: true; value: unknown }
  | { type: 'result'; id: number; ok: false; error: string };

export interface ChildOptions {
  /** Shown in errors and progress output. */
  name: string;
  /** Path of the entry point: a .ts file runs under tsx, a .js file (built benchmarks) under plain node. */
  script: string;
  args?: readonly string[];
  /** Extra Node flags, e.g. `--cpu-prof`. `TSX_EXEC_ARGV` is included for a .ts script. */
  execArgv?: readonly string[];
  /** How long the child may take to call `notifyReady`. @default 30000 */
  readyTimeoutMs?: number;
}

interface PendingCall {
  resolve(value: unknown): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

const live = new Set<ChildRef<Handlers>>();
let cleanupInstalled = false;

/** SIGKILLs every child still running. Safe to call from an `exit` handler (synchronous). */
export function killAllChildren(): void {
  for (const child of live) child.kill();
}

function installCleanup(): void {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  // 'exit' also fires after an uncaught exception or unhandled rejection.
  process.on('exit', killAllChildren);
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const) {
    process.on(signal, () => {
      killAllChildren();
      process.exit(code);
    });
  }
}

/**
 * The path of the entry point `name` (without extension) next to the module
 * at `moduleUrl`, with that module's extension: a built benchmark starts built
 * children, a TypeScript one TypeScript children.
 */
export function siblingScript(moduleUrl: string, name: string): string {
  return fileURLToPath(new URL(`./${name}${moduleUrl.endsWith('.ts') ? '.ts' : '.js'}`, moduleUrl));
}

/** A running child process with a typed RPC channel. */
export class ChildRef<THandlers extends Handlers> {
  readonly name: string;
  readonly process: ChildProcess;
  /** Resolves with the exit code (or the signal name) once the child has exited. */
  readonly exited: Promise<number | string>;
  readonly #pending = new Map<number, PendingCall>();
  #nextId = 1;
  #exitInfo: string | undefined;

  /** @internal Use startChild(). */
  constructor(name: string, proc: ChildProcess) {
    this.name = name;
    this.process = proc;
    this.exited = new Promise((resolve) => {
      proc.once('exit', (code, signal) => {
        live.delete(this);
        this.#exitInfo = signal ?? `code ${code}`;
        const err = new Error(`${name} exited (${this.#exitInfo})`);
        for (const call of this.#pending.values()) {
          clearTimeout(call.timer);
          call.reject(err);
        }
        this.#pending.clear();
        resolve(signal ?? code ?? 0);
      });
    });
    proc.on('message', (raw) => {
      const msg = raw as ToParent;
      if (msg.type !== 'result') return;
      const call = this.#pending.get(msg.id);
      if (call === undefined) return;
      this.#pending.delete(msg.id);
      clearTimeout(call.timer);
      if (msg.ok) call.resolve(msg.value);
      else call.reject(new Error(`${this.name}: ${msg.error}`));
    });
  }

  /** Calls a handler in the child; rejects if it throws, times out, or the child exits. */
  call<K extends keyof THandlers & string>(
    method: K,
    params: Params<THandlers[K]>,
    timeoutMs = 60_000,
  ): Promise<Awaited<ReturnType<THandlers[K]>>> {
    if (this.#exitInfo !== undefined) {
      return Promise.reject(new Error(`${this.name} has exited (${this.#exitInfo})`));
    }
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`${this.name}: ${method}() did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.process.send({ type: 'call', id, method, params } satisfies ToChild);
    });
  }

  /**
   * Asks the child to shut down (its `shutdown` handler, if any, runs first)
   * and waits for it to exit; SIGKILLs it after `graceMs`.
   */
  async stop(graceMs = 5000): Promise<void> {
    if (this.#exitInfo !== undefined) return;
    const timer = setTimeout(() => this.kill(), graceMs);
    try {
      await this.call('shutdown', undefined as never, graceMs).catch(() => {});
      await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGKILLs the child if it is still running. Synchronous. */
  kill(): void {
    if (this.#exitInfo === undefined && this.process.exitCode === null && this.process.signalCode === null) {
      this.process.kill('SIGKILL');
    }
  }
}

/**
 * Forks `script` (under tsx if it is TypeScript) and waits for it to call `notifyReady(value)`.
 * The child is killed when this process exits or is interrupted.
 */
export async function startChild<THandlers extends Handlers, TReady = unknown>(
  options: ChildOptions,
): Promise<{ child: ChildRef<THandlers>; ready: TReady }> {
  installCleanup();
  const proc = fork(options.script, [...(options.args ?? [])], {
    // A built (.js) benchmark runs what ships: plain node on the packages' dist/.
    execArgv: [...(options.script.endsWith('.ts') ? TSX_EXEC_ARGV : []), ...(options.execArgv ?? [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const child = new ChildRef<THandlers>(options.name, proc);
  live.add(child as unknown as ChildRef<Handlers>);
  const timeoutMs = options.readyTimeoutMs ?? 30_000;
  try {
    const ready = await new Promise<TReady>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${options.name} was not ready within ${timeoutMs} ms`)),
        timeoutMs,
      );
      proc.on('message', (raw) => {
        const msg = raw as ToParent;
        if (msg.type === 'ready') {
          clearTimeout(timer);
          resolve(msg.value as TReady);
        }
      });
      proc.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      void child.exited.then((how) => {
        clearTimeout(timer);
        reject(new Error(`${options.name} exited before it was ready (${how})`));
      });
    });
    return { child, ready };
  } catch (err) {
    child.kill();
    throw err;
  }
}

/**
 * Child side: answers the parent's `call()`s with `handlers`. A `shutdown`
 * handler, if given, runs before the child exits on the parent's request. The
 * child also exits when the parent goes away (the IPC channel closes), so an
 * orphan never keeps running.
 */
export function serveParent(handlers: Handlers): void {
  if (process.send === undefined) throw new Error('serveParent() needs an IPC channel (run via startChild)');
  const send = (msg: ToParent, then?: () => void) => process.send!(msg, undefined, {}, () => then?.());
  process.on('disconnect', () => process.exit(1));
  process.on('message', async (raw) => {
    const msg = raw as ToChild;
    if (msg.type !== 'call') return;
    try {
      const handler = handlers[msg.method];
      if (handler === undefined && msg.method !== 'shutdown') throw new Error(`no handler ${msg.method}`);
      const value = handler === undefined ? undefined : await handler(msg.params);
      send(
        { type: 'result', id: msg.id, ok: true, value },
        msg.method === 'shutdown' ? () => process.exit(0) : undefined,
      );
    } catch (err) {
      send({ type: 'result', id: msg.id, ok: false, error: (err as Error).stack ?? String(err) });
    }
  });
}

/** Child side: tells the parent that startup is complete, handing it `value`. */
export function notifyReady(value: unknown = null): void {
  process.send?.({ type: 'ready', value } satisfies ToParent);
}
