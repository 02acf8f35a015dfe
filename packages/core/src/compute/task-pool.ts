import { performance } from 'node:perf_hooks';
import { Status } from '@courier/transport';
import { DeadlineHeap, type Scheduled } from '@courier/transport/internal';
import type { Piscina } from 'piscina';
import { poolTaskEndChannel } from '../diagnostics.js';
import {
  CancelledError,
  CourierError,
  DeadlineExceededError,
  type ErrorCode,
  errorFromStatus,
  InternalError,
  NotFoundError,
  OverloadedError,
  UnavailableError,
} from '../errors.js';
import { MAX_TIMER_MS } from '../max-timer.js';
import { shutdownCoordinator } from '../shutdown/coordinator.js';
import { startComputeSpan } from '../tracing/compute-span.js';
import { type Queued, WaitQueue } from '../wait-queue.js';
import type { ComputeImplementation, ComputePool, ComputePoolStats, ComputeRunOptions } from './pool-api.js';
import { prepareTransfer } from './transfer.js';
import type { RunOutcome, Target, WireError, WorkerTask } from './worker-protocol.js';

interface Task extends Queued, Scheduled {
  readonly method: string;
  readonly target: Target;
  readonly input: unknown;
  /** The task span's traceparent for the worker, when traced. */
  readonly traceparent: string | undefined;
  readonly resolve: (value: unknown) => void;
  readonly reject: (err: CourierError) => void;
  /** Aborts the task wherever it is; its reason is the CourierError the caller gets. */
  readonly abort: AbortController;
  dispose: () => void;
  /** Aborts it with DEADLINE_EXCEEDED (called by the pool's deadline heap). */
  onDeadline: () => void;
}

/**
 * The pool behind ComputePool. It keeps its own FIFO queue in front of
 * Piscina and hands Piscina at most `size` tasks at a time: Piscina 5 orders
 * tasks that carry an AbortSignal last-in-first-out under load (even with
 * stricterFIFO) and does not apply its `maxQueue` to them, and every task
 * here carries one.
 */
export class ComputeTaskPool implements ComputePool {
  readonly service: string;
  readonly implementations: Readonly<Record<string, ComputeImplementation>>;
  readonly #piscina: Piscina;
  readonly #targets: ReadonlyMap<string, Target>;
  readonly #size: number;
  readonly #maxQueue: number;
  /** FIFO, with O(1) removal of a task that aborts while waiting. */
  readonly #queue = new WaitQueue<Task>();
  /** Unref'd: the task itself keeps the process alive while it matters (a busy worker is ref'd). */
  readonly #deadlines = new DeadlineHeap<Task>((task) => task.onDeadline(), { ref: false });
  #arrivals = 0;
  #running = 0;
  #closing = false;
  #closed: Promise<void> | undefined;
  #onIdle: (() => void) | undefined;
  /** A pool made outside serve() would keep its worker threads (and the process) alive after a signal. */
  readonly #unregister: () => void;

  constructor(
    service: string,
    piscina: Piscina,
    targets: ReadonlyMap<string, Target>,
    implementations: Record<string, ComputeImplementation>,
    size: number,
    maxQueue: number,
  ) {
    this.service = service;
    this.#piscina = piscina;
    this.#targets = targets;
    this.implementations = Object.freeze(implementations);
    this.#size = size;
    this.#maxQueue = maxQueue;
    this.#unregister = shutdownCoordinator.register({
      phase: 'resources',
      name: `compute pool of ${service}`,
      close: () => this.close(),
    });
  }

  run(method: string, input: unknown, options: ComputeRunOptions = {}): Promise<unknown> {
    const target = this.#targets.get(method);
    if (target === undefined) {
      return Promise.reject(new NotFoundError(`${this.service}.${method} is not a compute method`));
    }
    if (this.#closing) return Promise.reject(new UnavailableError('the compute pool is closed'));
    const { signal, deadline = Number.POSITIVE_INFINITY } = options;
    if (signal?.aborted) return Promise.reject(abortReason(signal, deadline));
    if (performance.now() >= deadline) return Promise.reject(deadlineError());
    if (this.#running >= this.#size && this.#queue.size >= this.#maxQueue) {
      return Promise.reject(
        new OverloadedError(
          `compute queue is full (${this.#maxQueue} tasks waiting for ${this.#size} workers)`,
        ),
      );
    }
    // undefined (and nothing made) unless an OpenTelemetry SDK is registered.
    const traced = startComputeSpan(this.service, method, target.native, options.traceparent);
    const result = new Promise<unknown>((resolve, reject) => {
      const task: Task = {
        method,
        target,
        input,
        traceparent: traced?.traceparent,
        resolve,
        reject,
        abort: new AbortController(),
        dispose: noop,
        onDeadline: noop,
        queuePrev: undefined,
        queueNext: undefined,
        queueOwner: undefined,
        queueArrival: 0,
        expiresAt: 0,
        heapIndex: -1,
      };
      this.#armAbort(task, signal, deadline);
      if (this.#running < this.#size) this.#start(task);
      else this.#queue.push(task, this.#arrivals++);
    });
    return traced === undefined ? result : traced.track(result);
  }

  stats(): ComputePoolStats {
    return { threads: this.#piscina.threads.length, busy: this.#running, queued: this.#queue.size };
  }

  close(): Promise<void> {
    this.#closed ??= (async () => {
      this.#unregister();
      this.#closing = true;
      if (this.#running > 0 || this.#queue.size > 0) {
        await new Promise<void>((resolve) => {
          this.#onIdle = resolve;
        });
      }
      await this.#piscina.destroy();
    })();
    return this.#closed;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #armAbort(task: Task, signal: AbortSignal | undefined, deadline: number): void {
    const onAbort = (reason: CourierError) => {
      if (task.abort.signal.aborted) return;
      if (this.#queue.remove(task)) {
        this.#settle(task, reason);
      } else {
        // Running: Piscina rejects the task and terminates its worker.
        task.abort.abort(reason);
      }
    };
    const onSignal = () => onAbort(abortReason(signal!, deadline));
    signal?.addEventListener('abort', onSignal, { once: true });
    // Beyond setTimeout's range (about 24.8 days) the task has no deadline to speak of.
    if (deadline - performance.now() < MAX_TIMER_MS) {
      task.onDeadline = () => onAbort(deadlineError());
      this.#deadlines.add(task, deadline);
    }
    task.dispose = () => {
      this.#deadlines.remove(task);
      signal?.removeEventListener('abort', onSignal);
    };
  }

  #start(task: Task): void {
    this.#running++;
    const startedAt = performance.now();
    const { value, transferList } = prepareTransfer(task.input);
    const run: WorkerTask = { kind: 'run', target: task.target, input: value, traceparent: task.traceparent };
    this.#piscina.run(run, { signal: task.abort.signal, transferList }).then(
      (outcome: RunOutcome) => this.#finish(task, startedAt, outcome.ok ? outcome : fromWire(outcome.error)),
      (err: unknown) =>
        this.#finish(task, startedAt, task.abort.signal.aborted ? task.abort.signal.reason : lost(err)),
    );
  }

  #finish(task: Task, startedAt: number, result: { value: unknown } | CourierError): void {
    this.#running--;
    const error = result instanceof CourierError ? result : undefined;
    if (poolTaskEndChannel.hasSubscribers) {
      poolTaskEndChannel.publish({
        service: this.service,
        method: task.method,
        status: error?.code ?? 'OK',
        durationSeconds: (performance.now() - startedAt) / 1000,
      });
    }
    if (error === undefined) {
      task.dispose();
      task.resolve((result as { value: unknown }).value);
    } else {
      this.#settle(task, error);
    }
    this.#pump();
  }

  #settle(task: Task, error: CourierError): void {
    task.dispose();
    task.reject(error);
    if (this.#queue.size === 0 && this.#running === 0) this.#onIdle?.();
  }

  #pump(): void {
    while (this.#running < this.#size) {
      const task = this.#queue.shift();
      if (task === undefined) break;
      this.#start(task);
    }
    if (this.#queue.size > 0) return;
    if (this.#running === 0) this.#onIdle?.();
  }
}

function noop(): void {}

function abortReason(signal: AbortSignal, deadline: number): CourierError {
  if (signal.reason instanceof CourierError) return signal.reason;
  if (performance.now() >= deadline) return deadlineError();
  return new CancelledError('cancelled by the caller');
}

function deadlineError(): CourierError {
  return new DeadlineExceededError('the deadline passed before the compute task finished');
}

/** A worker's error, as the typed error the caller gets. */
function fromWire(error: WireError): CourierError {
  if (error.courier && error.code !== undefined && error.code in Status && error.code !== 'OK') {
    return errorFromStatus(Status[error.code as ErrorCode], error.message, error.details);
  }
  return new InternalError('internal error', { cause: revive(error) });
}

/** The task was lost with its worker (it crashed or exited), or its result could not be posted back. */
function lost(err: unknown): CourierError {
  return new InternalError('internal error', { cause: err });
}

function revive(error: WireError): Error {
  const err = new Error(error.message);
  err.name = error.name;
  if (error.stack !== undefined) err.stack = error.stack;
  return err;
}
