/*
 * What a compute pool offers: the interface createComputePool (pool.ts)
 * returns and ComputeTaskPool (task-pool.ts) implements, apart from both so
 * neither imports the other.
 */

/** Per-task options; the server passes the request's own. */
export interface ComputeRunOptions {
  /** Aborting it stops the task (waiting or running) and rejects with CANCELLED. */
  readonly signal?: AbortSignal;
  /** When the task's time is up, as a `performance.now()` timestamp: then it rejects with DEADLINE_EXCEEDED. */
  readonly deadline?: number;
  /** W3C traceparent of the span the task belongs to (a handler's SERVER span); used only when an OpenTelemetry SDK is registered. */
  readonly traceparent?: string;
}

export interface ComputePoolStats {
  /** Worker threads alive now. */
  readonly threads: number;
  /** Tasks handed to a worker (a replacement worker may still be starting). */
  readonly busy: number;
  /** Tasks waiting for a free worker. */
  readonly queued: number;
}

/** How a compute method is being run: its module, its native addon, or the addon's declared fallback. */
export type ComputeImplementation = 'module' | 'native' | 'fallback';

/**
 * A service's worker pool: runs compute methods on worker threads, so the
 * event loop stays free for I/O, heartbeats and other requests.
 *
 * Tasks start in arrival order. A task whose caller cancels, or whose
 * deadline passes, stops at once: a waiting task leaves the queue, and a
 * running one has its worker terminated (JavaScript cannot be interrupted any
 * other way) and replaced. Either way its place is free for the next task.
 */
export interface ComputePool extends AsyncDisposable {
  /** The service whose methods this pool runs. */
  readonly service: string;
  /** Which implementation each compute method resolved to at start. */
  readonly implementations: Readonly<Record<string, ComputeImplementation>>;
  /**
   * Runs a compute method with its (already validated) input. Large typed
   * arrays and Buffers in the input are moved to the worker: the caller must
   * not use them afterwards.
   *
   * Rejects with a CourierError: the one the compute function threw (code,
   * message and details kept), INTERNAL for anything else (its message stays
   * in `cause`, for the server's log, not the caller), OVERLOADED when the
   * queue is full, CANCELLED or DEADLINE_EXCEEDED on abort, UNAVAILABLE once
   * the pool is closing.
   */
  run(method: string, input: unknown, options?: ComputeRunOptions): Promise<unknown>;
  stats(): ComputePoolStats;
  /** Refuses new tasks, lets queued and running ones finish, then stops the workers. Idempotent. */
  close(): Promise<void>;
}
