import diagnosticsChannel from 'node:diagnostics_channel';
import { performance } from 'node:perf_hooks';
import {
  type Client,
  type ClientCallEnd,
  type ClientRetry,
  CoreChannels,
  CourierError,
  callInfo,
} from '@courier/core';
import type { faults } from './service.js';
import { DEADLINE_MS, LATE_MS } from './settings.js';

/** One finished call as the load generator saw it. */
export interface Outcome {
  readonly start: number;
  readonly end: number;
  /** OK, an error code, or UNTYPED for anything not a CourierError. */
  readonly code: string;
  readonly write: boolean;
  readonly attempts: number;
  readonly endpoint: string | undefined;
}

/**
 * Keeps `inflight` calls going until `stop()`: 80% idempotent reads, 20%
 * non-idempotent writes with unique ids, each with a 500 ms deadline.
 * Records every outcome and the call-end events, to check that each call
 * settled once, typed, and in time.
 */
export class Load {
  readonly outcomes: Outcome[] = [];
  /** Ids of writes the client sent. */
  readonly writes: string[] = [];
  readonly ends = new Map<number, number>();
  /**
   * Calls that failed on one endpoint and then succeeded on another: when
   * they succeeded, and the endpoint they first failed on.
   */
  readonly failovers: { at: number; from: string }[] = [];
  /** The endpoint each retried call's first failed attempt was on, by call id. */
  readonly #leftFrom = new Map<number, string>();
  #running = true;
  #workers: Promise<void>[] = [];
  #pending = 0;
  #next = 0;
  readonly #client: Client<typeof faults>;
  readonly #onEnd = (m: unknown): void => {
    const end = m as ClientCallEnd;
    if (end.callId === undefined) return;
    this.ends.set(end.callId, (this.ends.get(end.callId) ?? 0) + 1);
    const from = this.#leftFrom.get(end.callId);
    this.#leftFrom.delete(end.callId);
    if (end.status === 'OK' && from !== undefined && end.endpoint !== from) {
      this.failovers.push({ at: performance.now(), from });
    }
  };
  readonly #onRetry = (m: unknown): void => {
    const retry = m as ClientRetry;
    if (retry.callId === undefined || retry.endpoint === undefined) return;
    if (!this.#leftFrom.has(retry.callId)) this.#leftFrom.set(retry.callId, retry.endpoint);
  };

  constructor(
    client: Client<typeof faults>,
    inflight: number,
    readonly workMs: number,
    /** `mixed`: reads and writes; `limited`: only the method with small static limits. */
    readonly kind: 'mixed' | 'limited' = 'mixed',
  ) {
    this.#client = client;
    diagnosticsChannel.subscribe(CoreChannels.clientCallEnd, this.#onEnd);
    diagnosticsChannel.subscribe(CoreChannels.clientRetry, this.#onRetry);
    for (let i = 0; i < inflight; i++) this.#workers.push(this.#worker(i));
  }

  /** Calls started and not yet settled. */
  get pending(): number {
    return this.#pending;
  }

  async #worker(index: number): Promise<void> {
    while (this.#running) {
      const write = this.kind === 'mixed' && index % 5 === 0;
      const id = `w${this.#next++}`;
      const start = performance.now();
      this.#pending++;
      let code = 'OK';
      let info: ReturnType<typeof callInfo>;
      try {
        if (write) {
          this.writes.push(id);
          await this.#client.write({ id, ms: this.workMs }, { deadlineMs: DEADLINE_MS });
        } else if (this.kind === 'limited') {
          await this.#client.limited({ ms: this.workMs }, { deadlineMs: DEADLINE_MS });
        } else {
          await this.#client.read({ ms: this.workMs }, { deadlineMs: DEADLINE_MS });
        }
      } catch (err) {
        code = err instanceof CourierError ? err.code : 'UNTYPED';
        info = callInfo(err);
      }
      this.#pending--;
      this.outcomes.push({
        start,
        end: performance.now(),
        code,
        write,
        attempts: info?.attempts ?? 1,
        endpoint: info?.endpoint,
      });
    }
  }

  /** Stops starting calls; resolves when every started call settled, or rejects after `hungMs`. */
  async stop(hungMs = DEADLINE_MS + LATE_MS + 2000): Promise<void> {
    this.#running = false;
    let timer: NodeJS.Timeout | undefined;
    const hung = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${this.#pending} calls hung`)), hungMs);
    });
    try {
      await Promise.race([Promise.all(this.#workers), hung]);
    } finally {
      clearTimeout(timer);
      diagnosticsChannel.unsubscribe(CoreChannels.clientCallEnd, this.#onEnd);
      diagnosticsChannel.unsubscribe(CoreChannels.clientRetry, this.#onRetry);
    }
  }
}
