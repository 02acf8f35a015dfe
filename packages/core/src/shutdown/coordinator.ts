/**
 * One per process: decides that the process ends after a shutdown signal.
 *
 * serve() closes what it owns on SIGTERM, but a process also holds clients,
 * a metrics HTTP listener, compute pools and timers that serve() does not
 * own; any one of them keeps Node's event loop alive, and under Kubernetes
 * that means waiting for SIGKILL. So everything Courier opens registers here,
 * and the first signal closes it all in order (servers drain first, since
 * their handlers may still call other services through clients; the metrics
 * listener last, so /readyz answers 503 while draining), then exits.
 */

/** Closing order: every participant of a phase is closed before the next phase starts. */
export type ShutdownPhase = 'servers' | 'clients' | 'resources';

const PHASES: readonly ShutdownPhase[] = ['servers', 'clients', 'resources'];

export interface ShutdownParticipant {
  readonly phase: ShutdownPhase;
  /** For the message when closing it fails. */
  readonly name: string;
  close(): Promise<void>;
}

export interface ArmOptions {
  readonly signals: readonly NodeJS.Signals[];
  /** The longest the shutdown may take; the exit backstop waits for it plus a margin. */
  readonly graceMs: number;
  /** Exit the process once everything is closed. @default true */
  readonly exit?: boolean;
}

/** Time beyond the longest grace period for clients and listeners to close before the process exits anyway. */
const BACKSTOP_MARGIN_MS = 5_000;

export class ShutdownCoordinator {
  readonly #participants = new Set<ShutdownParticipant>();
  /** Who asked for signal handling; the listeners stay while one of them is armed. */
  readonly #arms = new Set<ArmOptions>();
  readonly #listening = new Map<NodeJS.Signals, (signal: NodeJS.Signals) => void>();
  #running: Promise<number> | undefined;

  constructor(private readonly exitProcess: (code: number) => void = (code) => process.exit(code)) {}

  /** Adds a participant; returns a function that removes it (call it when the participant closes itself). */
  register(participant: ShutdownParticipant): () => void {
    this.#participants.add(participant);
    return () => {
      this.#participants.delete(participant);
    };
  }

  /**
   * Listens for `options.signals` until the returned function is called
   * (serve() arms when it starts and disarms when its server is closed by
   * other means; clients and listeners only register, so a process that
   * never serves keeps Node's default signal handling).
   */
  arm(options: ArmOptions): () => void {
    if (this.#running !== undefined) return () => {};
    this.#arms.add(options);
    this.#listen();
    return () => {
      if (!this.#arms.delete(options) || this.#running !== undefined) return;
      this.#listen();
    };
  }

  /** Whether a signal listener is installed for `signal`. */
  armedFor(signal: NodeJS.Signals): boolean {
    return this.#listening.has(signal);
  }

  /**
   * Closes every participant, phase by phase, then exits (0, or 1 if a close
   * failed) unless every arm said `exit: false`. The signal listeners are
   * removed first, so a second signal gets Node's default action and ends
   * the process at once, instead of waiting for a shutdown that may be
   * stuck. Idempotent while it runs.
   */
  shutdown(signal?: NodeJS.Signals): Promise<number> {
    this.#running ??= this.#run(signal);
    return this.#running;
  }

  /** Makes the installed listeners match the signals the current arms ask for. */
  #listen(): void {
    const wanted = new Set([...this.#arms].flatMap((a) => a.signals));
    for (const [signal, listener] of this.#listening) {
      if (wanted.has(signal)) continue;
      process.off(signal, listener);
      this.#listening.delete(signal);
    }
    for (const signal of wanted) {
      if (this.#listening.has(signal)) continue;
      const listener = (received: NodeJS.Signals): void => {
        void this.shutdown(received);
      };
      this.#listening.set(signal, listener);
      process.on(signal, listener);
    }
  }

  async #run(signal: NodeJS.Signals | undefined): Promise<number> {
    const arms = [...this.#arms];
    this.#arms.clear();
    this.#listen();
    const exit = arms.some((a) => a.exit !== false);
    const graceMs = Math.max(0, ...arms.map((a) => a.graceMs));
    // A close that never settles must not keep the process up until SIGKILL.
    const backstop = exit
      ? setTimeout(() => {
          process.emitWarning(`shutdown after ${signal ?? 'request'} did not finish in time; exiting`, {
            code: 'COURIER_SHUTDOWN_TIMEOUT',
          });
          this.exitProcess(1);
        }, graceMs + BACKSTOP_MARGIN_MS)
      : undefined;
    backstop?.unref();
    let code = 0;
    for (const phase of PHASES) {
      const closing = [...this.#participants].filter((p) => p.phase === phase);
      const results = await Promise.allSettled(closing.map((p) => p.close()));
      results.forEach((result, i) => {
        if (result.status === 'rejected') {
          code = 1;
          process.emitWarning(`closing ${closing[i]?.name} failed: ${String(result.reason)}`, {
            code: 'COURIER_SHUTDOWN_CLOSE',
          });
        }
      });
      for (const p of closing) this.#participants.delete(p);
    }
    clearTimeout(backstop);
    if (exit) {
      this.exitProcess(code);
    } else {
      // Nothing ends the process, so it may serve again and be armed again (tests do).
      this.#running = undefined;
    }
    return code;
  }
}

/** The process's coordinator. */
export const shutdownCoordinator = new ShutdownCoordinator();
