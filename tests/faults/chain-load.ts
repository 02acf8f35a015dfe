import diagnosticsChannel from 'node:diagnostics_channel';
import { performance } from 'node:perf_hooks';
import { type Client, type ClientCallEnd, CoreChannels, CourierError, callInfo } from '@courier/core';
import type { hopA } from './chain-service.js';
import type { Outcome } from './load.js';
import { DEADLINE_MS } from './settings.js';

/**
 * Calls into the chain's first hop and records each one's outcome and how
 * many times it ended (from the call-end events), for `figures()`.
 */
export class ChainLoad {
  readonly outcomes: Outcome[] = [];
  readonly ends = new Map<number, number>();
  readonly #client: Client<typeof hopA>;
  readonly #calls = new Set<Promise<void>>();
  readonly #onEnd = (m: unknown): void => {
    const { callId } = m as ClientCallEnd;
    if (callId !== undefined) this.ends.set(callId, (this.ends.get(callId) ?? 0) + 1);
  };

  constructor(client: Client<typeof hopA>) {
    this.#client = client;
    diagnosticsChannel.subscribe(CoreChannels.clientCallEnd, this.#onEnd);
  }

  /** Starts one call; it settles into `outcomes` and never rejects. */
  call(id: string, ms: number, signal?: AbortSignal): Promise<void> {
    const done = this.#run(id, ms, signal);
    this.#calls.add(done);
    void done.then(() => this.#calls.delete(done));
    return done;
  }

  /** Calls started and not yet settled. */
  get pending(): number {
    return this.#calls.size;
  }

  async #run(id: string, ms: number, signal: AbortSignal | undefined): Promise<void> {
    const start = performance.now();
    let code = 'OK';
    let info: ReturnType<typeof callInfo>;
    try {
      await this.#client.call({ id, ms }, { deadlineMs: DEADLINE_MS, ...(signal && { signal }) });
    } catch (err) {
      code = err instanceof CourierError ? err.code : 'UNTYPED';
      info = callInfo(err);
    }
    this.outcomes.push({
      start,
      end: performance.now(),
      code,
      write: false,
      attempts: info?.attempts ?? 1,
      endpoint: info?.endpoint,
    });
  }

  /** Resolves when every started call settled, or rejects after `hungMs`. */
  async settled(hungMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const hung = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${this.#calls.size} calls hung`)), hungMs);
    });
    try {
      while (this.#calls.size > 0) await Promise.race([Promise.all([...this.#calls]), hung]);
    } finally {
      clearTimeout(timer);
      diagnosticsChannel.unsubscribe(CoreChannels.clientCallEnd, this.#onEnd);
    }
  }
}
