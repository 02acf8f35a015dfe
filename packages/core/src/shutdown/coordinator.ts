import { constants } from 'node:os';

/**
 * The order things close in on shutdown. Servers first: they drain, and a
 * draining handler may still call other services through clients and use the
 * compute pool. Then clients and pools. Probes last, so `/readyz` keeps
 * answering 503 (not refusing connections) while the servers drain.
 */
export type ShutdownPhase = 'servers' | 'clients' | 'probes';
const PHASES: readonly ShutdownPhase[] = ['servers', 'clients', 'probes'];

type Closer = () => unknown;

const closers = new Map<ShutdownPhase, Set<Closer>>(PHASES.map((phase) => [phase, new Set()]));
let running: Promise<void> | undefined;

/**
 * Registers `close` to run when the process shuts down (on the first
 * SIGTERM/SIGINT a server listens for, or when `shutdown()` is called).
 * Everything Courier opens (servers, clients, compute pools, the metrics
 * endpoint) registers itself; register your own resources the same way.
 * Returns a function that unregisters it (call it once you closed it yourself).
 */
export function onShutdown(close: Closer, phase: ShutdownPhase = 'clients'): () => void {
  const set = closers.get(phase)!;
  const entry: Closer = () => close();
  set.add(entry);
  return () => {
    set.delete(entry);
  };
}

/**
 * Closes everything registered with onShutdown, phase by phase (servers,
 * then clients and pools, then probes), each phase's closers at once.
 * Resolves when all have closed; rejects with an AggregateError if any
 * failed (after the rest closed). Idempotent while it runs. Does not exit
 * the process: the signal handler does that once this settles.
 */
export function shutdown(): Promise<void> {
  running ??= (async () => {
    const failures: unknown[] = [];
    try {
      for (const phase of PHASES) {
        const set = closers.get(phase)!;
        const batch = [...set];
        set.clear();
        const results = await Promise.allSettled(batch.map(async (close) => close()));
        for (const r of results) if (r.status === 'rejected') failures.push(r.reason);
      }
    } finally {
      running = undefined;
    }
    if (failures.length > 0) throw new AggregateError(failures, 'shutdown: some resources failed to close');
  })();
  return running;
}

const wanted = new Map<NodeJS.Signals, number>();
let signalled: NodeJS.Signals | undefined;

/**
 * Makes `signals` shut the process down: the first one runs shutdown() and
 * then exits (0, or 1 if something failed to close), so nothing the user
 * forgot to close (a timer, an IPC channel to a parent) keeps a process alive
 * that Kubernetes or a process manager asked to stop; a second signal exits
 * at once. Reference-counted: the returned function releases this interest,
 * and the listeners go once nobody wants them. `onSignal` runs first, e.g.
 * to log which signal arrived.
 */
export function handleShutdownSignals(
  signals: readonly NodeJS.Signals[],
  onSignal: (signal: NodeJS.Signals) => void = () => {},
): () => void {
  const hooks = signalHooks;
  hooks.add(onSignal);
  for (const signal of signals) {
    const count = wanted.get(signal) ?? 0;
    if (count === 0) process.on(signal, onProcessSignal);
    wanted.set(signal, count + 1);
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    hooks.delete(onSignal);
    // After a signal the listeners stay, so that a second one exits at once.
    if (signalled !== undefined) return;
    for (const signal of signals) {
      const count = (wanted.get(signal) ?? 1) - 1;
      if (count === 0) {
        wanted.delete(signal);
        process.off(signal, onProcessSignal);
      } else wanted.set(signal, count);
    }
  };
}

const signalHooks = new Set<(signal: NodeJS.Signals) => void>();

function onProcessSignal(signal: NodeJS.Signals): void {
  if (signalled !== undefined) {
    // The conventional exit code of a process killed by a signal.
    process.exit(128 + (constants.signals[signal] ?? 15));
  }
  signalled = signal;
  for (const hook of [...signalHooks]) hook(signal);
  shutdown().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
