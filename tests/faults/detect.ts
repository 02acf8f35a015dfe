import diagnosticsChannel from 'node:diagnostics_channel';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { type ClientEndpointState, CoreChannels } from '@courier/core';

/**
 * What splits a fail-over time into its parts: when the client declared
 * the faulted endpoint dead (the kernel must first tear the killed process
 * down and close its sockets, the client's loop must then turn), and how
 * late this process's event loop ran meanwhile (a loaded machine shows
 * here, not in Courier's code).
 */
export class FaultWatch {
  readonly #endpoint: string;
  readonly #dead: number[] = [];
  readonly #delay = monitorEventLoopDelay({ resolution: 1 });
  readonly #onState = (m: unknown): void => {
    const e = m as ClientEndpointState;
    if (e.endpoint === this.#endpoint && e.state === 'dead') this.#dead.push(performance.now());
  };

  constructor(endpoint: string) {
    this.#endpoint = endpoint;
    diagnosticsChannel.subscribe(CoreChannels.clientEndpoint, this.#onState);
  }

  /** Starts measuring the loop's delay: at the fault. */
  start(): void {
    this.#delay.enable();
  }

  /** From `at` to the first time the endpoint was declared dead after it, in ms. */
  deadAfter(at: number): number | undefined {
    const t = this.#dead.find((d) => d >= at);
    return t === undefined ? undefined : t - at;
  }

  /** The longest the event loop ran late since `start()`, in ms. */
  get loopDelayMaxMs(): number {
    return this.#delay.max / 1e6;
  }

  stop(): void {
    this.#delay.disable();
    diagnosticsChannel.unsubscribe(CoreChannels.clientEndpoint, this.#onState);
  }
}
